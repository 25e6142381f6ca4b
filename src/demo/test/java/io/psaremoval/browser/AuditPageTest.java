package io.psaremoval.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.RemovalDriver;
import io.psaremoval.removal.RemovalMode;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** An auditor reads a finished removal's timeline on the audit page; others are refused. */
@PlatformTest
class AuditPageTest {

    @LocalServerPort
    int port;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;
    @Autowired
    JdbcClient jdbc;

    @Test
    void auditorSeesTheTimelineWithThePeopleAndNumbers() {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        ProcessInstance removal = driver.remove(account, RemovalMode.DELETE);
        String businessKey = jdbc.sql("select business_key from removal where process_instance_id = :pid")
                .param("pid", removal.getId()).query(String.class).single();
        long deleted = fixtures.count("""
                select sum(c.rows) from removal_count c join removal r on r.id = c.removal_id
                where r.business_key = '%s' and c.action = 'DELETED' and :p = :p""".formatted(businessKey), 0);

        try (Browser browser = new Browser(port)) {
            signIn(browser, "auditor");
            browser.click(By.xpath("//tr[td[normalize-space()='" + businessKey + "']]"));
            String timeline = browser.visible(By.id("timeline")).getText();
            browser.screenshot("audit-1-timeline");

            String row = browser.driver.findElement(By.xpath("//tr[td[normalize-space()='" + businessKey + "']]")).getText();
            assertThat(row).contains(manager).contains("deleted").contains(String.format("%,d", deleted));
            assertThat(timeline).contains("Decide who may remove").contains("Requester's role: Manager")
                    .contains("May remove: yes, may disconnect or delete").doesNotContain("DISCONNECT_OR_DELETE").contains("Confirm the deletion").contains(manager)
                    .contains("typed confirmation").contains("Hard delete the synced data").contains("devices unmatched")
                    .contains("Permanently delete all data").doesNotContain("serviceTask").doesNotContain("userTask");
            assertThat(browser.visible(By.id("rows")).getText()).contains("organization").contains("password");
            assertThat(browser.visible(By.id("scope")).getText()).as("the round and what was deleted under it")
                    .contains("Deleted under it").contains("1 (the preview)");
            assertThat(browser.driver.findElement(By.xpath("//table[@id='scope']/tbody/tr[1]/td[4]")).getText())
                    .isEqualTo("12");

            long id = jdbc.sql("select id from removal where business_key = :key").param("key", businessKey)
                    .query(Long.class).single();
            assertThat(browser.driver.getCurrentUrl()).as("the detail has an address of its own")
                    .endsWith("/audit/index.html#removal-" + id);
            browser.open("/audit/index.html");
            browser.visible(By.xpath("//tr[td[normalize-space()='" + businessKey + "']]"));
            assertThat(browser.driver.findElement(By.id("detail")).isDisplayed()).isFalse();
            browser.driver.get("about:blank");
            browser.open("/audit/index.html#removal-" + id); // a fresh load of the address opens that removal
            browser.visible(By.xpath("//*[@id='detail-title'][contains(., '" + businessKey + "')]"));
            browser.screenshot("audit-3-linked-detail");
        }
    }

    private void signIn(Browser browser, String user) {
        browser.open("/audit");
        browser.visible(By.id("username")).sendKeys(user);
        browser.driver.findElement(By.id("password")).sendKeys(PlatformFixtures.PASSWORD);
        browser.click(By.cssSelector("#sign-in button[type=submit]"));
    }

    @Test
    void theAuditPageKeepsNoPasswordAndEndsWithItsSession() {
        fixtures.create(); // the platform's people, the auditor among them
        try (Browser browser = new Browser(port)) {
            signIn(browser, "auditor");
            browser.visible(By.xpath("//p[contains(., 'Export as CSV')]"));
            JavascriptExecutor page = (JavascriptExecutor) browser.driver;
            assertThat(page.executeScript("return sessionStorage.length + localStorage.length")).as("nothing stored")
                    .isEqualTo(0L);
            assertThat(page.executeScript("return document.getElementById('password').value")).isEqualTo("");
            Cookie session = browser.driver.manage().getCookieNamed("JSESSIONID");
            assertThat(session).as("a session cookie among %s", browser.driver.manage().getCookies()).isNotNull();
            assertThat(session.isHttpOnly()).as("which the page's scripts cannot read").isTrue();
            assertThat(page.executeScript("return document.cookie")).asString().doesNotContain("JSESSIONID");

            browser.open("/audit/index.html"); // a reload within the session stays signed in
            browser.visible(By.xpath("//p[contains(., 'Export as CSV')]"));
            browser.driver.manage().deleteAllCookies(); // cleared cookies: signed out
            browser.open("/audit/index.html");
            browser.visible(By.id("username"));
            assertThat(browser.driver.findElement(By.id("removals")).isDisplayed()).isFalse();

            signIn(browser, "auditor");
            browser.click(By.id("sign-out"));
            browser.visible(By.xpath("//*[@id='sign-in-error'][contains(., 'Signed out.')]"));
            browser.open("/audit/index.html");
            browser.visible(By.id("username"));
            browser.screenshot("audit-4-signed-out");
        }
    }

    @Test
    void aManagerCannotOpenTheAuditPage() {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        try (Browser browser = new Browser(port)) {
            signIn(browser, manager);
            browser.visible(By.xpath("//td[contains(., 'Cannot load removals: 403 only auditors')]"));
            browser.screenshot("audit-2-manager-refused");
        }
    }
}
