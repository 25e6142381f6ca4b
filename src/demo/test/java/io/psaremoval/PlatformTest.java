package io.psaremoval;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import io.psaremoval.demo.DemoApplication;
import io.psaremoval.benchmark.RemovalBenchmarkRunner;
import io.psaremoval.test.RemovalTestSupport;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;

/**
 * The whole demo application (the plugin as a host uses it) with the test support, on a fresh embedded PostgreSQL, with the job executor off so that tests run the
 * asynchronous steps themselves. Every test class with this annotation shares one Spring context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@Import({RemovalTestSupport.class, RemovalBenchmarkRunner.class})
public @interface PlatformTest {
}
