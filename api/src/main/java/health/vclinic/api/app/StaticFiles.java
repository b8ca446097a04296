package health.vclinic.api.app;

import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.HttpErrors;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The app's own stylesheet and script, from the class path ({@code app/static/}), by a fixed list of names:
 * nothing else on the class path can be asked for. They hold no patient data, so they are open and cacheable
 * for a short while; they are sent with the app's headers ({@link Pages}) and their exact media type.
 */
final class StaticFiles {

    private record Asset(byte[] bytes, String type) {
    }

    private static final Map<String, Asset> ASSETS = Map.of(
            "app.css", load("app.css", "text/css; charset=utf-8"),
            "app.js", load("app.js", "text/javascript; charset=utf-8"));

    private StaticFiles() {
    }

    static void serve(ServerRequest req, ServerResponse res) {
        Asset asset = ASSETS.get(req.path().pathParameters().get("file"));
        if (asset == null) {
            HttpErrors.send(res, ApiError.of(ApiError.Kind.NOT_FOUND, "no such file of the app"));
            return;
        }
        Pages.headers(res);
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=300");
        res.header(HeaderNames.CONTENT_TYPE, asset.type());
        res.status(Status.OK_200);
        res.send(asset.bytes());
    }

    private static Asset load(String name, String type) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream("app/static/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the app's " + name + " is missing from the class path");
            }
            return new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
