package io.ember.api;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.util.EnumSet;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;

/**
 * The method on the wire is the method served. Javalin's {@code Context.method()} prefers an
 * {@code X-HTTP-Method-Override} header to it, so a GET (a read, which the replay guard lets repeat and which a
 * browser form or a cache may send on someone's behalf) could be routed as a DELETE. This filter hides that header
 * from {@code getHeader} for the whole request, so routing and every handler see the real method. It stays listed
 * (getHeaderNames, getHeaders) so that a client that signed it still has its signature checked over it. Ember
 * honours no other override either ({@code _method} and the like are ordinary query parameters).
 */
final class NoMethodOverride implements Filter {
    static final String HEADER = "X-HTTP-Method-Override";

    static void install(ServletContextHandler handler) {
        handler.addFilter(new FilterHolder(new NoMethodOverride()), "/*", EnumSet.allOf(DispatcherType.class));
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && http.getHeader(HEADER) != null) {
            request = new HttpServletRequestWrapper(http) {
                @Override
                public String getHeader(String name) {
                    return HEADER.equalsIgnoreCase(name) ? null : super.getHeader(name);
                }
            };
        }
        chain.doFilter(request, response);
    }
}
