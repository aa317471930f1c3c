package dev.folio.chat;

/**
 * One message of a conversation, as a chat template sees it.
 *
 * @param role    who speaks: {@code system}, {@code user} or {@code assistant} (a template may accept others)
 * @param name    the speaker's name, overriding the role's default speaker; may be null
 * @param content what is said; a null content is rendered as empty text
 */
public record ChatMessage(String role, String name, String content) {}
