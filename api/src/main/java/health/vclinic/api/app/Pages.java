package health.vclinic.api.app;

import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.Errors;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The app's pages: Pebble templates under {@code app/} on the class path, rendered with autoescaping and strict
 * variables, sent with the headers every page carries: a strict Content-Security-Policy (no inline script or
 * style, nothing from another origin, no framing; W3C CSP Level 3), {@code X-Content-Type-Options: nosniff},
 * {@code Referrer-Policy: same-origin} (page addresses carry patient references: they never leave for another
 * site, while the browser still sends the {@code Origin} the CSRF check reads; {@code no-referrer} would make it
 * {@code null}) and
 * {@code Cache-Control: no-store} (patient data never stays in a browser's or a proxy's cache; OWASP Session
 * Management Cheat Sheet).
 */
final class Pages {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private final PebbleEngine engine;

    Pages() {
        ClasspathLoader loader = new ClasspathLoader(Pages.class.getClassLoader());
        loader.setPrefix("app");
        loader.setSuffix(".peb");
        this.engine = new PebbleEngine.Builder().loader(loader).autoEscaping(true).strictVariables(true)
                .defaultLocale(Locale.ROOT).build();
    }

    /** The template {@code name} rendered with {@code model}. */
    String render(String name, Map<String, Object> model) {
        StringWriter out = new StringWriter(16 << 10);
        try {
            engine.getTemplate(name).evaluate(out, model);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the page " + name, e);
        }
        return out.toString();
    }

    /** Sends {@code html} with the page headers. */
    static void send(ServerResponse res, Status status, String html) {
        headers(res);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.send(html);
    }

    /** The headers of every page and asset of the app. */
    static void headers(ServerResponse res) {
        res.header(HeaderNames.create("Content-Security-Policy"), CSP);
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "same-origin");
        res.header(HeaderNames.create("X-Frame-Options"), "DENY");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
    }

    /** An error as a page: the status of its kind and its message, which never holds patient data. */
    void error(ServerResponse res, Throwable t, Map<String, Object> layout) {
        ApiError e = Errors.classify(t);
        Map<String, Object> model = new HashMap<>(layout);
        model.put("title", e.kind().http() == 404 ? "Not found" : "Cannot show this page");
        model.put("message", e.kind() == ApiError.Kind.INTERNAL
                ? "internal error: the page could not be shown (the error is logged for the operators)" : e.message());
        model.put("status", e.kind().http());
        send(res, Status.create(e.kind().http()), render("error", model));
    }
}
