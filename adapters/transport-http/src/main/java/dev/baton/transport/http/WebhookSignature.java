package dev.baton.transport.http;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs and verifies result webhooks. The header {@value #HEADER} carries {@code t=<unix seconds>,v1=<hex>} where
 * {@code hex} is HMAC-SHA256, keyed with the shared secret, over the bytes of {@code "<t>."} followed by the raw body.
 *
 * <p>Receivers build a verifier with {@link #verifier(byte[], Duration, Clock)}: it rejects a bad or missing
 * signature, a timestamp outside the window (either side of now), and a delivery whose signature it already accepted
 * within the window (a replay). The secret is never in a message or {@code toString}. Thread-safe.
 */
public final class WebhookSignature {

    /** The signature header. */
    public static final String HEADER = "Baton-Signature";

    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] secret;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();

    private WebhookSignature(byte[] secret, Duration window, Clock clock) {
        this.secret = secret.clone();
        this.window = window;
        this.clock = clock;
    }

    /**
     * @param secret the shared secret; not empty
     * @param window how far a signed timestamp may be from now, and how long accepted signatures are remembered
     * @param clock  the receiver's clock
     * @return a verifier
     */
    public static WebhookSignature verifier(byte[] secret, Duration window, Clock clock) {
        checkSecret(secret);
        Objects.requireNonNull(clock, "clock");
        return new WebhookSignature(secret, HealthMonitor.Builder.positive("window", window), clock);
    }

    /**
     * @param secret       the shared secret; not empty
     * @param epochSeconds the signing time
     * @param body         the exact body bytes
     * @return the header value {@code t=<epochSeconds>,v1=<hex>}
     */
    public static String sign(byte[] secret, long epochSeconds, byte[] body) {
        checkSecret(secret);
        return "t=" + epochSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, epochSeconds, body));
    }

    /**
     * Checks a delivery.
     *
     * @param header the {@value #HEADER} header value, or {@code null}
     * @param body   the exact body bytes received
     * @throws WebhookException {@link WebhookException#SIGNATURE_INVALID}, {@link WebhookException#SIGNATURE_EXPIRED}
     *                          or {@link WebhookException#REPLAYED}
     */
    public void verify(String header, byte[] body) {
        if (header == null) {
            throw new WebhookException(WebhookException.SIGNATURE_INVALID, "missing " + HEADER + " header");
        }
        long t = Long.MIN_VALUE;
        String v1 = null;
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.startsWith("t=")) {
                try {
                    t = Long.parseLong(p.substring(2));
                } catch (NumberFormatException e) {
                    throw new WebhookException(WebhookException.SIGNATURE_INVALID, "malformed timestamp");
                }
            } else if (p.startsWith("v1=")) {
                v1 = p.substring(3);
            }
        }
        if (t == Long.MIN_VALUE || v1 == null) {
            throw new WebhookException(WebhookException.SIGNATURE_INVALID, "the header needs t= and v1=");
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(v1);
        } catch (IllegalArgumentException e) {
            throw new WebhookException(WebhookException.SIGNATURE_INVALID, "malformed signature");
        }
        if (!MessageDigest.isEqual(given, mac(secret, t, body))) {
            throw new WebhookException(WebhookException.SIGNATURE_INVALID, "the signature does not match the body");
        }
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - t) > window.getSeconds()) {
            throw new WebhookException(WebhookException.SIGNATURE_EXPIRED,
                    "signed at " + t + ", outside the window of " + window + " around " + now);
        }
        prune(now);
        if (seen.putIfAbsent(v1.toLowerCase(java.util.Locale.ROOT), t) != null) {
            throw new WebhookException(WebhookException.REPLAYED, "this delivery was already accepted");
        }
    }

    private void prune(long now) {
        for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            if (Math.abs(now - it.next().getValue()) > window.getSeconds()) {
                it.remove();
            }
        }
    }

    private static byte[] mac(byte[] secret, long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static void checkSecret(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length == 0) {
            throw new IllegalArgumentException("the webhook secret must not be empty");
        }
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "WebhookSignature[window=" + window + ", secret=****]";
    }
}
