package dev.baton.transport.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which webhook destinations may be called. A destination must be http or https, its host must be on the allow-list
 * (an exact name, or {@code *.example.com} for any subdomain, or {@link Builder#allowAnyHost()}; matched without
 * regard to case, an IPv6 literal with or without its brackets), and every address
 * it resolves to must be public: loopback, private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), link-local
 * (169.254/16, fe80::/10), wildcard and multicast addresses are refused unless explicitly allowed. Immutable and
 * thread-safe.
 *
 * <p>The check resolves the host when a webhook is sent; the HTTP client resolves it again when it connects, so a
 * hostile DNS server could still answer differently in between. Allow-list host names you control.
 */
public final class DestinationPolicy {

    /** Resolves a host to its addresses; injectable for tests. */
    @FunctionalInterface
    public interface Resolver {
        /**
         * @param host a host name or literal address
         * @return its addresses
         * @throws UnknownHostException when it does not resolve
         */
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Set<String> hosts;
    private final boolean anyHost;
    private final boolean loopback;
    private final boolean privateAddresses;
    private final boolean linkLocal;
    private final Resolver resolver;

    private DestinationPolicy(Builder b) {
        this.hosts = Set.copyOf(b.hosts);
        this.anyHost = b.anyHost;
        this.loopback = b.loopback;
        this.privateAddresses = b.privateAddresses;
        this.linkLocal = b.linkLocal;
        this.resolver = b.resolver;
    }

    /** @return a new builder; nothing is allowed until hosts are added */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param destination a webhook URL
     * @throws WebhookException {@link WebhookException#DESTINATION_REFUSED} naming the reason
     */
    public void check(URI destination) {
        String scheme = destination.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw refused(destination, "the scheme must be http or https");
        }
        if (destination.getUserInfo() != null) {
            throw refused(destination, "user info in the URL is not allowed");
        }
        String host = destination.getHost();
        if (host == null || host.isEmpty()) {
            throw refused(destination, "no host");
        }
        String h = normalise(host);
        if (!anyHost && !hostAllowed(h)) {
            throw refused(destination, "host '" + h + "' is not on the allow-list");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(h);
        } catch (UnknownHostException e) {
            throw refused(destination, "host '" + h + "' does not resolve");
        }
        for (InetAddress a : addresses) {
            String why = refusal(a);
            if (why != null) {
                throw refused(destination, "host '" + h + "' resolves to " + why + " address "
                        + a.getHostAddress());
            }
        }
    }

    /**
     * A host as it is matched: lower case, an IPv6 literal without its brackets. {@link URI#getHost()} gives
     * {@code [::1]} for {@code http://[::1]/}, and the resolver wants {@code ::1}; the allow-list and the destination
     * both go through here, so either spelling matches. An IPv6 literal is otherwise compared as written
     * ({@code ::1} is not {@code 0:0:0:0:0:0:0:1}).
     */
    static String normalise(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.length() >= 2 && h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h;
    }

    private boolean hostAllowed(String h) {
        for (String allowed : hosts) {
            if (allowed.equals(h) || (allowed.startsWith("*.") && h.endsWith(allowed.substring(1)))) {
                return true;
            }
        }
        return false;
    }

    private String refusal(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return loopback ? null : "a loopback";
        }
        if (a.isLinkLocalAddress()) {
            return linkLocal ? null : "a link-local";
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return "a wildcard or multicast";
        }
        if (isPrivate(a)) {
            return privateAddresses ? null : "a private";
        }
        return null;
    }

    static boolean isPrivate(InetAddress a) {
        if (a.isSiteLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;          // 100.64.0.0/10
        }
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc;                                  // fc00::/7
        }
        return false;
    }

    private static WebhookException refused(URI destination, String why) {
        return new WebhookException(WebhookException.DESTINATION_REFUSED,
                "webhook destination " + destination.getScheme() + "://" + destination.getHost()
                        + (destination.getPort() >= 0 ? ":" + destination.getPort() : "") + " refused: " + why);
    }

    @Override
    public String toString() {
        return "DestinationPolicy[hosts=" + (anyHost ? "*" : new java.util.TreeSet<>(hosts)) + ", loopback="
                + loopback + ", private=" + privateAddresses + ", linkLocal=" + linkLocal + "]";
    }

    /**
     * Builds a {@link DestinationPolicy}. Not thread-safe.
     */
    public static final class Builder {
        private final Set<String> hosts = new LinkedHashSet<>();
        private boolean anyHost;
        private boolean loopback;
        private boolean privateAddresses;
        private boolean linkLocal;
        private Resolver resolver = InetAddress::getAllByName;

        private Builder() {
        }

        /**
         * @param host a host name or literal address, or {@code *.domain} for its subdomains; case does not matter,
         *             and an IPv6 literal may be given with or without brackets ({@code [::1]}, as
         *             {@link URI#getHost()} gives it, or {@code ::1})
         * @return this builder
         */
        public Builder allowHost(String host) {
            Objects.requireNonNull(host, "host");
            String h = normalise(host);
            if (h.isBlank()) {
                throw new IllegalArgumentException("host must not be blank, was '" + host + "'");
            }
            hosts.add(h);
            return this;
        }

        /** @return this builder, allowing any host name (addresses are still checked) */
        public Builder allowAnyHost() {
            this.anyHost = true;
            return this;
        }

        /**
         * @param allow whether loopback addresses may be called (tests); default false
         * @return this builder
         */
        public Builder allowLoopback(boolean allow) {
            this.loopback = allow;
            return this;
        }

        /**
         * @param allow whether private addresses may be called; default false
         * @return this builder
         */
        public Builder allowPrivate(boolean allow) {
            this.privateAddresses = allow;
            return this;
        }

        /**
         * @param allow whether link-local addresses may be called; default false
         * @return this builder
         */
        public Builder allowLinkLocal(boolean allow) {
            this.linkLocal = allow;
            return this;
        }

        /**
         * @param resolver resolves hosts; default the system resolver
         * @return this builder
         */
        public Builder resolver(Resolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /** @return the policy */
        public DestinationPolicy build() {
            return new DestinationPolicy(this);
        }
    }
}
