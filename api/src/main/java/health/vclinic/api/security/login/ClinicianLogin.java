package health.vclinic.api.security.login;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.api.security.AuthenticationException;
import health.vclinic.api.security.BrowserSessions;
import health.vclinic.api.security.Caller;
import health.vclinic.api.security.SecretFiles;
import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.ApiException;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.HttpErrors;
import health.vclinic.datasets.InvalidInputException;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Clinicians log in to the web app with their clinic, login, password and a TOTP code, and get a browser
 * session: {@code POST /app/login} (form fields {@code clinic}, {@code login}, {@code password},
 * {@code totp}), {@code POST /app/logout}, {@code GET /app/session} (who is logged in, and the CSRF token).
 *
 * <p>Standards: passwords Argon2id ({@link PasswordHash}), TOTP RFC 6238 ({@link Totp}), a code good once;
 * the session cookie {@value #COOKIE} is {@code HttpOnly; Secure; SameSite=Strict; Path=/} with the
 * {@code __Host-} prefix (RFC 6265bis §4.1.3.2) and holds 256 random bits; automatic logoff after inactivity
 * and an absolute limit ({@link LoginSettings}); every failure gets the same answer, whether the login,
 * the password or the code was wrong, or the account is locked (OWASP Authentication Cheat Sheet), and an
 * unknown login costs the same Argon2id work as a known one. A state-changing request authenticated by
 * the cookie needs the session's CSRF token in {@value #CSRF_HEADER} or the form field {@value #CSRF_FIELD},
 * and is refused when {@code Origin} is foreign or {@code Sec-Fetch-Site} is not same-origin (OWASP CSRF
 * Prevention Cheat Sheet).
 */
public final class ClinicianLogin implements BrowserSessions {

    public static final String COOKIE = "__Host-vclinic_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final String CSRF_FIELD = "_csrf";
    /**
     * Sent by a page's background refresh (the worklist's polling): the request is answered, but it is not
     * the person's activity, so it does not hold off the automatic logoff.
     */
    public static final String BACKGROUND_HEADER = "X-Vclinic-Background";
    /** The one answer to every failed login. */
    public static final String FAILED = "login failed: the clinic, login, password or code is wrong, or the account"
            + " is locked after too many failed attempts (then wait 15 minutes)";
    static final String ENDED = "the session has ended (logged out, idle too long or too old); log in again"
            + " (POST /app/login)";
    private static final int MAX_PASSWORD = 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(ClinicianLogin.class.getName());

    /** The session of this request, as the gate found it (registered in the request context). */
    private record Current(String id, SessionStore.Live live) {
    }

    private final Accounts accounts;
    private final SessionStore sessions;
    private final Totp totp;
    private final Clock clock;
    private final LoginSettings settings;
    private final LoginEvents events;
    /** Hashed against when the login is unknown, so that it costs what a known one costs. */
    private final String dummyHash;
    /** Logins through clinics' OpenID Connect providers, when any are configured. */
    private final Optional<OidcLogin> oidc;
    /** Argon2id takes 19 MiB and tens of milliseconds each: a flood of logins waits, it does not pile up. */
    private final Semaphore hashing = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()));

    private ClinicianLogin(Accounts accounts, SessionStore sessions, Clock clock, LoginSettings settings,
                           LoginEvents events, Optional<OidcLogin> oidc) {
        this.accounts = accounts;
        this.oidc = oidc;
        this.sessions = sessions;
        this.totp = new Totp(clock);
        this.clock = clock;
        this.settings = settings;
        this.events = events;
        this.dummyHash = PasswordHash.hash(Base64.getEncoder().encodeToString(SecretFiles.randomBytes(24)),
                PasswordHash.OWASP);
    }

    /**
     * Logins against the accounts in {@code database}, whose TOTP secrets {@code cipher} seals (the record's),
     * telling {@code events} of each. Secrets that an earlier version kept in clear are sealed now.
     */
    public static ClinicianLogin create(DataSource database, health.vclinic.api.keys.FieldCipher cipher,
                                        LoginSettings settings, Clock clock, LoginEvents events) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(events, "events");
        Accounts accounts = new Accounts(database, cipher, clock, PasswordHash.OWASP);
        try {
            int sealed = accounts.sealLegacySecrets();
            if (sealed > 0) {
                LOG.log(System.Logger.Level.INFO, "sealed the TOTP secrets of " + sealed
                        + " clinician accounts kept in clear by an earlier version");
            }
        } catch (IllegalStateException e) {
            // The database is unreachable: logins fail until it is back; the next start seals what is left.
            LOG.log(System.Logger.Level.WARNING, "TOTP secrets kept in clear by an earlier version could not be sealed"
                    + " now (" + e.getMessage() + "); the next start seals them");
        }
        return new ClinicianLogin(accounts, new SessionStore(database, clock, settings), clock, settings, events,
                Optional.empty());
    }

    /**
     * The same, and clinicians of the clinics in {@code providers} may also log in through their clinic's OpenID
     * Connect provider ({@link OidcLogin}: {@code GET /app/login/oidc?clinic=...}); the provider sends the browser
     * back to {@code publicUrl}{@code /app/login/oidc/callback}, or, without one, to the loopback address the
     * browser used.
     *
     * @throws IllegalArgumentException when a clinic has two providers
     */
    public ClinicianLogin withOidc(java.util.List<OidcProvider> providers, Optional<URI> publicUrl) {
        return new ClinicianLogin(accounts, sessions, clock, settings, events,
                providers.isEmpty() ? Optional.empty() : Optional.of(new OidcLogin(providers, publicUrl, clock)));
    }

    public LoginSettings settings() {
        return settings;
    }

    // ---- the gate's side ----

    @Override
    public Optional<Caller> caller(RoutingRequest req) {
        Optional<String> id = req.headers().cookies().first(COOKIE).asOptional();
        if (id.isEmpty()) {
            return Optional.empty();
        }
        Optional<SessionStore.Live> live = sessions.use(id.get(),
                req.headers().first(HeaderNames.create(BACKGROUND_HEADER)).isEmpty());
        if (live.isEmpty()) {
            sessions.end(id.get()).ifPresent(gone -> event(LoginEvents.Outcome.TIMED_OUT, Optional.empty(),
                    gone.clinic().value(), gone.login(), Optional.of(gone.ref())));
            throw new AuthenticationException(ENDED);
        }
        req.context().register(Current.class, new Current(id.get(), live.get()));
        SessionStore.Live s = live.get();
        return Optional.of(new Caller(s.clinic(), s.role(), s.login(), "session:" + s.ref()));
    }

    @Override
    public Optional<String> forgery(RoutingRequest req, RoutingResponse res) {
        Optional<String> foreign = foreignOrigin(req);
        if (foreign.isPresent()) {
            return foreign;
        }
        Current current = req.context().get(Current.class, Current.class).orElseThrow();
        Optional<String> sent = req.headers().first(HeaderNames.create(CSRF_HEADER));
        if (sent.isEmpty() && FormFields.isForm(req)) {
            try {
                sent = FormFields.of(req, res).first(CSRF_FIELD);
            } catch (ApiException | InvalidInputException e) {
                return Optional.of("the form could not be read for its " + CSRF_FIELD + " field: " + e.getMessage());
            }
        }
        if (sent.isEmpty()) {
            return Optional.of("a request that changes something needs the session's CSRF token (header " + CSRF_HEADER
                    + " or form field " + CSRF_FIELD + ", from GET /app/session)");
        }
        byte[] expected = SessionStore.csrfToken(current.id()).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, sent.get().getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of("the CSRF token is not this session's (reload GET /app/session)");
        }
        return Optional.empty();
    }

    /** Why a request comes from another site, when it says so ({@code Sec-Fetch-Site}, {@code Origin}). */
    private static Optional<String> foreignOrigin(ServerRequest req) {
        Optional<String> site = req.headers().first(HeaderNames.create("Sec-Fetch-Site"));
        if (site.isPresent() && !site.get().equals("same-origin") && !site.get().equals("none")) {
            return Optional.of("a cross-site request may not change anything here (Sec-Fetch-Site: " + site.get()
                    .replaceAll("[^a-z-]", "") + ")");
        }
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isPresent() && !sameAuthority(origin.get(), req.authority())) {
            return Optional.of("a request from another origin may not change anything here");
        }
        return Optional.empty();
    }

    private static boolean sameAuthority(String origin, String authority) {
        try {
            return authority.equalsIgnoreCase(URI.create(origin).getRawAuthority());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The CSRF token of the session that authenticated {@code req}, for a page's forms; empty for a bearer token. */
    public static Optional<String> csrfToken(ServerRequest req) {
        return req.context().get(Current.class, Current.class).map(c -> SessionStore.csrfToken(c.id()));
    }

    // ---- the routes ----

    @Override
    public void routes(HttpRouting.Builder routing) {
        routing.post("/app/login", this::login)
                .post("/app/logout", this::logout)
                .get("/app/session", this::session);
        oidc.ifPresent(o -> o.routes(routing, this));
    }

    private void login(ServerRequest req, ServerResponse res) {
        try {
            Optional<String> foreign = foreignOrigin(req);
            if (foreign.isPresent()) {
                throw new ApiException(ApiError.Kind.PERMISSION_DENIED, foreign.get());
            }
            FormFields form = FormFields.of(req, res);
            String clinicText = required(form, "clinic", 64);
            String loginText = required(form, "login", 64);
            String password = required(form, "password", MAX_PASSWORD);
            String code = required(form, "totp", 6);
            ClinicId clinic;
            try {
                clinic = new ClinicId(clinicText.strip().toLowerCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("clinic", "must be 1 to 64 lower-case letters, digits or hyphens");
            }
            String login = Accounts.login(loginText);
            if (!code.matches("[0-9]{6}")) {
                throw new InvalidInputException("totp", "must be the 6 digits your authenticator app shows");
            }
            Optional<SessionStore.Started> started = withHashing(() -> attempt(clinic, login, password, code));
            if (started.isEmpty()) {
                throw new AuthenticationException(FAILED);
            }
            setSessionCookie(req, res, started.get());
            SessionStore.Live live = sessions.use(started.get().id()).orElseThrow();
            respond(req, res, view(Optional.of(new Current(started.get().id(), live)), live.clinic(), live.login(),
                    live.role().wireName()), "/app/");
        } catch (RuntimeException e) {
            HttpErrors.send(res, e);
        }
    }

    /** The session begun when every check passes, or empty; each failure counted and told. */
    private Optional<SessionStore.Started> attempt(ClinicId clinic, String login, String password, String code) {
        Optional<Accounts.Account> found = accounts.find(clinic, login);
        if (found.isEmpty()) {
            PasswordHash.verify(password, dummyHash);
            return fail(Optional.empty(), clinic, login, LoginEvents.Failure.UNKNOWN_LOGIN);
        }
        Accounts.Account account = found.get();
        boolean passwordRight = PasswordHash.verify(password, account.passwordHash());
        if (account.disabledAt().isPresent()) {
            return fail(Optional.empty(), clinic, login, LoginEvents.Failure.ACCOUNT_DISABLED);
        }
        if (account.lockedUntil().filter(clock.instant()::isBefore).isPresent()) {
            return fail(Optional.empty(), clinic, login, LoginEvents.Failure.ACCOUNT_LOCKED);
        }
        if (!passwordRight) {
            return fail(Optional.of(account), clinic, login, LoginEvents.Failure.WRONG_PASSWORD);
        }
        OptionalLong step = totp.match(account.totpSecret(), code);
        if (step.isEmpty()) {
            return fail(Optional.of(account), clinic, login, LoginEvents.Failure.WRONG_CODE);
        }
        if (!accounts.useTotpStep(account.id(), step.getAsLong())) {
            return fail(Optional.of(account), clinic, login, LoginEvents.Failure.REUSED_CODE);
        }
        accounts.recordSuccess(account.id());
        sessions.purgeExpired();
        SessionStore.Started started = sessions.start(account.id());
        event(LoginEvents.Outcome.LOGGED_IN, Optional.empty(), clinic.value(), login, Optional.of(started.ref()));
        return Optional.of(started);
    }

    /** Hands the browser its new session's cookie. */
    void setSessionCookie(ServerRequest req, ServerResponse res, SessionStore.Started started) {
        // A new login never continues an old session (no fixation): the browser's previous one ends.
        req.headers().cookies().first(COOKIE).asOptional().ifPresent(sessions::end);
        res.headers().addCookie(SetCookie.builder(COOKIE, started.id()).path("/").secure(true).httpOnly(true)
                .sameSite(SetCookie.SameSite.STRICT).build());
    }

    /**
     * The session of the clinician {@code user} names, whom the clinic's OpenID Connect provider has
     * authenticated (with a second factor): an enabled clinician account of that clinic, or empty (told). The
     * provider owns the password and its lockout, so the account's own lockout does not apply here.
     */
    Optional<SessionStore.Started> providerSession(ClinicId clinic, String user) {
        String login;
        try {
            login = Accounts.login(user == null ? "" : user);
        } catch (InvalidInputException e) {
            return fail(Optional.empty(), clinic, "", LoginEvents.Failure.UNKNOWN_LOGIN);
        }
        Optional<Accounts.Account> found = accounts.find(clinic, login);
        if (found.isEmpty() || found.get().role() != health.vclinic.api.security.Role.CLINICIAN) {
            return fail(Optional.empty(), clinic, login, LoginEvents.Failure.UNKNOWN_LOGIN);
        }
        if (found.get().disabledAt().isPresent()) {
            return fail(Optional.empty(), clinic, login, LoginEvents.Failure.ACCOUNT_DISABLED);
        }
        sessions.purgeExpired();
        SessionStore.Started started = sessions.start(found.get().id());
        event(LoginEvents.Outcome.LOGGED_IN, Optional.empty(), clinic.value(), login, Optional.of(started.ref()));
        return Optional.of(started);
    }

    /** Tells of a login through a provider refused before any account was named ({@code clinic} may be empty). */
    void providerFailure(String clinic, LoginEvents.Failure why) {
        event(LoginEvents.Outcome.FAILED, Optional.of(why), clinic, "", Optional.empty());
    }

    /** Counts the failure against {@code account} (when it is one that counts) and tells the listener. */
    private Optional<SessionStore.Started> fail(Optional<Accounts.Account> account, ClinicId clinic, String login,
                                                LoginEvents.Failure why) {
        boolean locked = account.map(a -> accounts.recordFailure(a.id(), settings.maxFailedAttempts(),
                settings.lockout())).orElse(false);
        event(locked ? LoginEvents.Outcome.LOCKED_OUT : LoginEvents.Outcome.FAILED, Optional.of(why), clinic.value(),
                login, Optional.empty());
        return Optional.empty();
    }

    private <T> T withHashing(java.util.function.Supplier<T> work) {
        try {
            if (!hashing.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new ApiException(ApiError.Kind.RESOURCE_EXHAUSTED, "too many logins at once; try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiError.Kind.UNAVAILABLE, "the server is stopping");
        }
        try {
            return work.get();
        } finally {
            hashing.release();
        }
    }

    private void logout(ServerRequest req, ServerResponse res) {
        Optional<Current> current = req.context().get(Current.class, Current.class);
        current.flatMap(c -> sessions.end(c.id())).ifPresent(s -> event(LoginEvents.Outcome.LOGGED_OUT,
                Optional.empty(), s.clinic().value(), s.login(), Optional.of(s.ref())));
        res.headers().addCookie(SetCookie.builder(COOKIE, "").path("/").secure(true).httpOnly(true)
                .sameSite(SetCookie.SameSite.STRICT).expires(Instant.EPOCH).build());
        ObjectNode body = JSON.createObjectNode().put("logged_out", current.isPresent());
        respond(req, res, body, "/app/login");
    }

    private void session(ServerRequest req, ServerResponse res) {
        Caller caller = Caller.of(req);
        respond(req, res, view(req.context().get(Current.class, Current.class), caller.clinic(), caller.subject(),
                caller.role().wireName()), "");
    }

    private ObjectNode view(Optional<Current> current, ClinicId clinic, String subject, String role) {
        ObjectNode body = JSON.createObjectNode().put("clinic", clinic.value()).put("subject", subject).put("role", role)
                .put("via", current.isPresent() ? "session" : "bearer");
        current.ifPresent(c -> body.put("csrf_token", SessionStore.csrfToken(c.id()))
                .put("idle_timeout_seconds", settings.idleTimeout().toSeconds())
                .put("expires_at", c.live().createdAt().plus(settings.maxSessionAge()).toString()));
        return body;
    }

    /** JSON, or a redirect to {@code htmlTarget} for a browser that asked for HTML (a plain form post). */
    private static void respond(ServerRequest req, ServerResponse res, ObjectNode body, String htmlTarget) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        String accept = req.headers().first(HeaderNames.ACCEPT).orElse("");
        if (!htmlTarget.isEmpty() && accept.contains("text/html") && !accept.contains("application/json")) {
            res.status(Status.SEE_OTHER_303);
            res.header(HeaderNames.LOCATION, htmlTarget);
            res.send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString());
    }

    private static String required(FormFields form, String field, int maxLength) {
        String value = form.first(field).orElseThrow(() -> new InvalidInputException(field, "is required"));
        if (value.isEmpty() || value.length() > maxLength) {
            throw new InvalidInputException(field, "must be 1 to " + maxLength + " characters");
        }
        return value;
    }

    private void event(LoginEvents.Outcome outcome, Optional<LoginEvents.Failure> failure, String clinic, String login,
                       Optional<String> session) {
        events.event(new LoginEvents.Event(outcome, failure, clinic, login, session, clock.instant()));
    }
}
