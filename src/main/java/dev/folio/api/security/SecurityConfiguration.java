package dev.folio.api.security;

import dev.folio.api.ProblemWriter;
import dev.folio.api.RouteProtocols;
import dev.folio.FolioProperties;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Who may call what. Every request passes Spring Security's {@link StrictHttpFirewall} first (refused with 400: a
 * {@code ;}, an encoded {@code /}, {@code %2e}, {@code //}, dot segments, a backslash, ...), then is authorised by the
 * route it matches ({@link Routes}), with the bearer key it carries ({@link BearerKeys}):
 * <ul>
 *   <li>{@code /admin/**}: the admin key; 403 when none is configured (closed, never open), 401 without it;</li>
 *   <li>when {@code folio.api.key} is set, every POST and {@code /v1/**}: the API key or the admin key, 401 without;</li>
 *   <li>everything else (health, info, models, docs, metrics, the playground) is open.</li>
 * </ul>
 * Stateless: no session, no cookie, no CSRF token (no cookie authenticates anything), no login page, no basic auth.
 */
@Configuration
@EnableWebSecurity
public class SecurityConfiguration {

    @Bean
    BearerKeys bearerKeys(FolioProperties properties) {
        return new BearerKeys(properties);
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, BearerKeys keys, RouteProtocols protocols) throws Exception {
        KeyRequiredAnswer keyRequired = new KeyRequiredAnswer(keys, new ProblemWriter(protocols));
        http.csrf(csrf -> csrf.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new BearerKeyAuthenticationFilter(keys), AuthorizationFilter.class)
                .exceptionHandling(errors -> errors.authenticationEntryPoint(keyRequired).accessDeniedHandler(keyRequired))
                .authorizeHttpRequests(routes -> {
                    // an async (streaming) or error dispatch continues a request already authorised on its way in
                    routes.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll();
                    if (keys.adminKeyConfigured()) {
                        routes.requestMatchers(Routes.ADMIN).hasAuthority(BearerKeys.ADMIN);
                    } else {
                        routes.requestMatchers(Routes.ADMIN).denyAll();
                    }
                    if (keys.apiKeyConfigured()) {
                        routes.requestMatchers(Routes.INFERENCE).hasAuthority(BearerKeys.API);
                    }
                    routes.anyRequest().permitAll();
                });
        return http.build();
    }

    /** Spring Security's default, named here because the access rules rely on it: it runs before any matching. */
    @Bean
    HttpFirewall httpFirewall() {
        return new StrictHttpFirewall();
    }

    @Bean
    RequestRejectedHandler requestRejectedHandler(RouteProtocols protocols) {
        return new FirewallRejectionAnswer(new ProblemWriter(protocols));
    }
}
