package dev.folio.api;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Lets non-streaming generations see their client leave (see {@link TomcatClientConnection}). */
@Configuration(proxyBeanMethods = false)
class ClientConnectionConfiguration {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> clientConnectionProbe() {
        return factory -> factory.addContextValves(new ClientConnectionValve());
    }
}
