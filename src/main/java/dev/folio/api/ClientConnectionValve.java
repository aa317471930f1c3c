package dev.folio.api;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/** Leaves a {@link TomcatClientConnection} on each request, where the servlet API cannot reach the connection itself. */
final class ClientConnectionValve extends ValveBase {

    ClientConnectionValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        request.setAttribute(ClientConnection.ATTRIBUTE, new TomcatClientConnection(request.getCoyoteRequest()));
        getNext().invoke(request, response);
    }
}
