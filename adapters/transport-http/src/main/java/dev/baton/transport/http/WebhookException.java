package dev.baton.transport.http;

import dev.baton.BatonException;

/**
 * A webhook that may not be sent or a delivery that does not verify. Never carries the webhook secret.
 *
 * <p>Stable codes: {@link #DESTINATION_REFUSED}, {@link #SIGNATURE_INVALID}, {@link #SIGNATURE_EXPIRED},
 * {@link #REPLAYED}.
 */
public class WebhookException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** Code: the destination is not on the allow-list, or resolves to a refused address. */
    public static final String DESTINATION_REFUSED = "WEBHOOK_DESTINATION_REFUSED";
    /** Code: the signature header is missing, malformed or does not match the body. */
    public static final String SIGNATURE_INVALID = "WEBHOOK_SIGNATURE_INVALID";
    /** Code: the signed timestamp is outside the verifier's window. */
    public static final String SIGNATURE_EXPIRED = "WEBHOOK_SIGNATURE_EXPIRED";
    /** Code: the same signed delivery was already accepted within the window. */
    public static final String REPLAYED = "WEBHOOK_REPLAYED";

    /**
     * @param code    one of the codes of this class
     * @param message what went wrong; never the secret
     */
    public WebhookException(String code, String message) {
        super(code, message);
    }
}
