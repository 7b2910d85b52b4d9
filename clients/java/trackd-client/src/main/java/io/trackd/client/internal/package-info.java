/**
 * The implementation of {@code io.trackd.client}: the area implementations behind {@link
 * io.trackd.client.TrackingClient}, the gRPC transport (channel, deadlines, retries, status to
 * {@link io.trackd.client.TrackdException}), conversions to and from the generated messages, and
 * streamed artifact transfers.
 *
 * <p><b>Not part of the API.</b> The client has no module descriptor, so the few public classes
 * here (the ones {@code TrackingClientBuilder} and the tests need) are visible to everyone; they
 * may change or disappear in any release. Program against the interfaces of {@code
 * io.trackd.client} only.
 */
package io.trackd.client.internal;
