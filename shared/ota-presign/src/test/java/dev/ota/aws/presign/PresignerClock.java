package dev.ota.aws.presign;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SelectedAuthScheme;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkInternalExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.Identity;

/**
 * Gives S3Presigner a fixed signing time, which its API does not take (2.40.2 signs at
 * {@code Instant.now()}). S3Presigner runs the SDK's global interceptors, listed in this module's
 * test resources under software/amazon/awssdk/global/handlers/execution.interceptors; after the S3
 * interceptors have chosen the auth scheme, this one adds {@code SIGNING_CLOCK} to the scheme's
 * signer properties, which S3Presigner applies after its own clock. Only inside {@link #at}, only
 * on the calling thread; tests check the URL's X-Amz-Date to see that it took.
 */
public final class PresignerClock implements ExecutionInterceptor {

    private static final ThreadLocal<Clock> CLOCK = new ThreadLocal<>();

    static <T> T at(Instant instant, Supplier<T> presign) {
        CLOCK.set(Clock.fixed(instant, ZoneOffset.UTC));
        try {
            return presign.get();
        } finally {
            CLOCK.remove();
        }
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        Clock clock = CLOCK.get();
        SelectedAuthScheme<?> scheme = attributes.getAttribute(SdkInternalExecutionAttribute.SELECTED_AUTH_SCHEME);
        if (clock != null && scheme != null) {
            attributes.putAttribute(SdkInternalExecutionAttribute.SELECTED_AUTH_SCHEME, withClock(scheme, clock));
        }
        return context.httpRequest();
    }

    private static <T extends Identity> SelectedAuthScheme<T> withClock(SelectedAuthScheme<T> scheme, Clock clock) {
        return new SelectedAuthScheme<>(
                scheme.identity(),
                scheme.signer(),
                scheme.authSchemeOption().toBuilder()
                        .putSignerProperty(HttpSigner.SIGNING_CLOCK, clock)
                        .build());
    }
}
