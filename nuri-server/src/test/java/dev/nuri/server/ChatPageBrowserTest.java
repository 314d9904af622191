package dev.nuri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nuri.engine.Engine;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.testkit.Fixtures;
import dev.nuri.text.chat.ChatMessage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page end to end in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}),
 * driven by Selenium with the driver path given explicitly (Selenium Manager never downloads anything). Skips, saying
 * so, when either binary is absent.
 */
class ChatPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static NuriServer server;
    private static Engine reference;
    private static ChromeDriver browser;
    private static final GatedModel[] gate = new GatedModel[1];

    @BeforeAll
    static void start(@TempDir Path profile) {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
        Path model = Fixtures.require("hf/qwen2-tiny");
        reference = Engine.load(model);
        server = NuriServer.start(ServerConfig.defaults().withPort(0).withParallel(2).withContextLength(256)
                .withModelId("qwen2-tiny"), () -> GatedModel.engine(model, gate)).awaitReady();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    private static String url() {
        return "http://127.0.0.1:" + server.port() + "/";
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static void waitForStatus(String... accepted) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).withMessage(() -> "status: "
                + browser.findElement(By.id("status")).getText()).until(d -> {
            String status = d.findElement(By.id("status")).getText();
            return List.of(accepted).contains(status);
        });
    }

    private static void setValue(String id, String value) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    @Test
    void chatStreamsRendersKeepsTheConversationAndStops() {
        browser.get(url());
        js("localStorage.clear()");
        browser.navigate().refresh();
        new WebDriverWait(browser, Duration.ofSeconds(10))
                .until(d -> d.findElement(By.id("model-id")).getText().equals("qwen2-tiny"));

        setValue("system", "You are terse.");
        setValue("temperature", "0");
        setValue("max-tokens", "16");
        setValue("input", "What is RAG?");
        browser.findElement(By.id("send")).click();
        waitForStatus("ready", "stopped at the token limit");

        String expected = reference.generator().generate(reference.encodeChat(List.of(
                ChatMessage.system("You are terse."), ChatMessage.user("What is RAG?"))), GenerationOptions.greedy(16)).text();
        List<WebElement> messages = browser.findElements(By.cssSelector("#messages .msg"));
        assertEquals(2, messages.size());
        assertTrue(messages.get(1).getAttribute("class").contains("assistant"));
        assertEquals(expected, js("return JSON.parse(localStorage.getItem('nuri.chat.v1')).messages[1].content"));

        // the conversation survives a reload (localStorage), settings too
        browser.navigate().refresh();
        new WebDriverWait(browser, Duration.ofSeconds(10))
                .until(d -> d.findElements(By.cssSelector("#messages .msg")).size() == 2);
        assertEquals("You are terse.", browser.findElement(By.id("system")).getAttribute("value"));

        // stop: the model is held mid-answer, the user clicks stop, and once the model runs again the server
        // notices the closed stream and frees the slot instead of generating the remaining tokens
        setValue("max-tokens", "150");
        setValue("input", "Now write a very long essay");
        gate[0].allow(0);
        int passesAtStop;
        try {
            browser.findElement(By.id("send")).click();
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> gate[0].isHolding());
            assertTrue(browser.findElement(By.id("stop")).isEnabled());
            browser.findElement(By.id("stop")).click();
            waitForStatus("stopped");
            int passesBefore = gate[0].forwardCalls();
            gate[0].allow(1); // the prompt; the model then waits again at the first decode step, its sequence active
            new WebDriverWait(browser, Duration.ofSeconds(30))
                    .until(d -> gate[0].forwardCalls() > passesBefore && gate[0].isHolding());
            assertEquals(1, server.activeSequences());
            passesAtStop = gate[0].forwardCalls();
        } finally {
            gate[0].open();
        }
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> server.activeSequences() == 0);
        int passesAfterStop = gate[0].forwardCalls() - passesAtStop;
        assertTrue(passesAfterStop < 100, "forward passes after stop: " + passesAfterStop);
        assertEquals(4, browser.findElements(By.cssSelector("#messages .msg")).size());

        browser.findElement(By.id("new-chat")).click();
        assertEquals(0, browser.findElements(By.cssSelector("#messages .msg")).size());
    }

    @Test
    void markdownIsRenderedAndHtmlIsEscaped() {
        browser.get(url());
        String html = (String) js("return renderMarkdown(arguments[0])",
                "# Title\n**bold** and `code` <script>alert(1)</script>\n\n- one\n- two\n\n```\n<b>x</b>\n```");
        assertTrue(html.contains("<h1>Title</h1>"), html);
        assertTrue(html.contains("<strong>bold</strong>"), html);
        assertTrue(html.contains("<code>code</code>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("<ul><li>one</li><li>two</li></ul>"), html);
        assertTrue(html.contains("<pre><code>&lt;b&gt;x&lt;/b&gt;</code></pre>"), html);
    }
}
