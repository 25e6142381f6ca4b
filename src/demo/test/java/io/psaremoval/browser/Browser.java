package io.psaremoval.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** A headless Debian chromium driven through chromedriver, as a person at the application would use it. */
final class Browser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    private final String baseUrl;

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /**
     * The browser tests need Debian's {@code chromium} and {@code chromium-driver}. Where they are missing, the tests
     * are skipped with the reason printed; in CI ({@code CI=true}, which {@code .ci/run} sets after installing both)
     * a missing browser fails them, so that CI never passes without having run them.
     */
    static void requireChromium() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String reason = "Browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                + "): apt-get install -y chromium chromium-driver, or run .ci/run, which installs them";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI must run the browser tests. " + reason);
        }
        System.out.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
    }

    Browser(int port) {
        requireChromium();
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1800", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic");
        driver = new ChromeDriver(options);
        baseUrl = "http://localhost:" + port;
    }

    void open(String path) {
        driver.get(baseUrl + path);
    }

    WebElement visible(By by) {
        return until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void click(By by) {
        WebElement element = until(ExpectedConditions.elementToBeClickable(by));
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
        element.click();
    }

    /** Waits up to 20 s for the condition; see {@link #until(Duration, java.util.function.Function)}. */
    <T> T until(java.util.function.Function<? super WebDriver, T> condition) {
        return until(Duration.ofSeconds(20), condition);
    }

    /**
     * Waits for the condition; when it times out, the failure tells what the page showed and what the browser
     * refused or failed to load (its console's errors), since that is where the reason is. What cannot be read is
     * said so, never put in the place of the timeout.
     */
    <T> T until(Duration timeout, java.util.function.Function<? super WebDriver, T> condition) {
        try {
            return new WebDriverWait(driver, timeout).until(condition);
        } catch (TimeoutException e) {
            String page;
            try {
                page = driver.getCurrentUrl() + " showing: " + driver.findElement(By.tagName("body")).getText();
            } catch (RuntimeException unreadable) {
                page = "(page unreadable: " + unreadable.getMessage() + ")";
            }
            String console;
            try {
                console = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                        .map(LogEntry::getMessage).collect(Collectors.joining("\n  "));
            } catch (RuntimeException unreadable) {
                console = "(console unreadable: " + unreadable.getMessage() + ")";
            }
            throw new TimeoutException(e.getMessage() + "\nThe browser was at " + page + "\nIts console's errors:\n  "
                    + console, e);
        }
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String pageSource() {
        return driver.getPageSource();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
