package dev.folio.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import dev.folio.store.BundledStore;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The playground in headless Chromium (Debian's chromium and chromium-driver) against the real server
 * serving the bundled model. Skipped, saying why, where Chromium is not installed; with CI=true it fails.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PlaygroundBrowserTest {

    /** The bundled model alone, whatever else the repository's store holds. */
    @DynamicPropertySource
    static void bundledStore(DynamicPropertyRegistry registry) {
        registry.add("folio.store.path", () -> BundledStore.copy().toString());
        registry.add("folio.store.model", () -> BundledStore.MODEL);
    }

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    @LocalServerPort
    int port;

    private ChromeDriver browser;

    @BeforeEach
    void startBrowser() throws Exception {
        if (!CHROMIUM.canExecute() || !CHROMEDRIVER.canExecute()) {
            String why = "Chromium and its driver are not installed (apt-get install chromium chromium-driver, as .ci/run does)";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but " + why);
            }
            Assumptions.abort("browser test skipped: " + why);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--user-data-dir=" + Files.createTempDirectory("folio-chromium"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    @Test
    void writeWithTheModelSeeItsProbabilitiesAndItsTraining() throws Exception {
        browser.get("http://127.0.0.1:" + port + "/");
        waiting().until(d -> d.findElement(By.id("model-line")).getText().contains("parameters"));
        assertThat(browser.findElement(By.id("model-line")).getText()).contains("shakespeare-char");

        // models panel: versions and the loss curves, drawn
        waiting().until(d -> !d.findElements(By.cssSelector("#loss-chart polyline.train")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("#loss-chart circle.val"))).isNotEmpty();
        assertThat(browser.findElement(By.id("versions")).getText()).contains("served");

        // type a prompt: the next-character chart follows it
        WebElement prompt = browser.findElement(By.id("prompt"));
        prompt.clear();
        prompt.sendKeys("JULIET:\nO Romeo, Romeo");
        waiting().until(d -> d.findElement(By.id("next-chart")).getAttribute("aria-label").startsWith("Top next characters: "));
        waiting().until(d -> d.findElements(By.cssSelector("#next-chart rect.bar")).size() == 10);

        // set a seed and the length, generate, wait for the streamed text to finish
        setValue("seed", "42");
        setValue("max-tokens", "60");
        browser.findElement(By.id("generate")).click();
        waiting().until(d -> !d.findElements(By.cssSelector("#output-generated .tok")).isEmpty()); // streamed in
        waiting().until(d -> d.findElement(By.id("status")).getText().contains("tokens in"));
        List<WebElement> tokens = browser.findElements(By.cssSelector("#output-generated .tok"));
        assertThat(tokens).hasSize(60);
        assertThat(browser.findElement(By.id("status")).getText()).contains("seed 42");
        for (WebElement token : tokens) {
            assertThat(token.getAttribute("style")).contains("background");
            assertThat(Double.parseDouble(token.getAttribute("data-prob"))).isBetween(0.0, 1.0);
        }

        // hovering a character shows the alternatives the model considered, with probabilities
        new Actions(browser).moveToElement(tokens.get(10)).perform();
        WebElement alternatives = browser.findElement(By.id("alternatives"));
        waiting().until(d -> alternatives.isDisplayed());
        assertThat(alternatives.findElements(By.cssSelector("tr"))).hasSize(5);
        assertThat(alternatives.getText()).contains("%").contains("considered");
        // and so does keyboard focus
        new Actions(browser).moveToElement(prompt).perform();
        ((JavascriptExecutor) browser).executeScript("arguments[0].focus()", tokens.get(20));
        waiting().until(d -> alternatives.isDisplayed() && alternatives.getText().contains("chose"));

        Path screenshot = Path.of("target", "playground.png");
        Files.createDirectories(screenshot.getParent());
        Files.write(screenshot, browser.getScreenshotAs(OutputType.BYTES));

        assertNoConsoleErrors();
    }

    @Test
    void writeToAGrammarWithPenalties() throws Exception {
        browser.get("http://127.0.0.1:" + port + "/");
        waiting().until(d -> d.findElement(By.id("model-line")).getText().contains("parameters"));
        // what the page sends to /generate_stream, for a look at the parameters
        ((JavascriptExecutor) browser).executeScript("""
                window.folioSent = [];
                const original = window.fetch;
                window.fetch = (url, options) => {
                  if (url === '/generate_stream') window.folioSent.push(JSON.parse(options.body));
                  return original(url, options);
                };""");

        // the defaults are neutral, and the grammar's hint names the model's characters (from /info)
        assertThat(value("repetition-penalty")).isEqualTo("1");
        assertThat(value("frequency-penalty")).isEqualTo("0");
        assertThat(value("typical-p")).isEqualTo("1");
        assertThat(value("grammar")).isEmpty();
        assertThat(browser.findElement(By.id("grammar")).getDomAttribute("placeholder")).contains("(ROMEO|JULIET): [A-Z]");
        assertThat(browser.findElement(By.id("grammar")).getDomAttribute("aria-describedby")).isEqualTo("grammar-hint");
        assertThat(text("grammar-vocabulary")).isEqualTo("newline, space, !$&',-.3:;?, A\u2013Z and a\u2013z");

        // neutral values are not sent
        setValue("prompt", "KING RICHARD III:\nWhat say you?\n\n");
        setValue("seed", "42");
        setValue("max-tokens", "20");
        generateAndWait();
        assertThat(sentParameters()).containsEntry("details", true)
                .doesNotContainKeys("repetition_penalty", "frequency_penalty", "typical_p", "grammar");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.folioSent.at(-1).model")).isEqualTo("shakespeare-char");

        // a grammar: the streamed text matches it from its first character to its last, and ends as it does
        String grammar = "(ROMEO|JULIET): [A-Z][a-z]+( [a-z]+){2,6}\\.";
        setValue("max-tokens", "80");
        setValue("grammar", grammar);
        generateAndWait();
        assertThat(sentParameters()).containsEntry("grammar", Map.of("type", "regex", "value", grammar));
        assertThat(text("output-prompt")).isEqualTo("KING RICHARD III:\nWhat say you?\n\n");
        String generated = text("output-generated");
        assertThat(generated).matches(Pattern.compile(grammar));
        List<WebElement> tokens = browser.findElements(By.cssSelector("#output-generated .tok"));
        assertThat(tokens).hasSize(generated.length()) // one span a character: the end-of-sequence token shows as none
                .allSatisfy(token -> assertThat(token.getDomProperty("textContent")).hasSize(1));
        String status = browser.findElement(By.id("status")).getText();
        assertThat(status).startsWith(generated.length() + " tokens in").contains("finish: eos_token (grammar complete)", "seed 42");

        // the penalties, when set, are sent (and accepted)
        setValue("grammar", "");
        setValue("max-tokens", "30");
        setValue("repetition-penalty", "1.3");
        setValue("frequency-penalty", "0.5");
        setValue("typical-p", "0.9");
        generateAndWait();
        assertThat(sentParameters()).containsEntry("repetition_penalty", 1.3).containsEntry("frequency_penalty", 0.5)
                .containsEntry("typical_p", 0.9).doesNotContainKey("grammar");
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("30 tokens in").contains("finish: length");
        assertThat(browser.findElements(By.cssSelector("#output-generated .tok"))).hasSize(30);

        // an invalid grammar: the server's 422, in its own words, in the status line
        setValue("grammar", "(ROMEO");
        browser.findElement(By.id("generate")).click();
        waiting().until(d -> d.findElement(By.id("status")).getText().startsWith("error: 422: "));
        assertThat(browser.findElement(By.id("status")).getText()).contains("parameters.grammar");
        assertThat(browser.findElement(By.id("generate")).isEnabled()).isTrue();
        assertThat(browser.findElement(By.id("stop-button")).isEnabled()).isFalse();
        // and a grammar no text of the model's characters can match (it has no quotes)
        setValue("grammar", "\"[a-z]+\"");
        browser.findElement(By.id("generate")).click();
        waiting().until(d -> d.findElement(By.id("status")).getText().startsWith("error: 422: ")
                && d.findElement(By.id("generate")).isEnabled());
        assertThat(browser.findElement(By.id("status")).getText()).contains("parameters.grammar", "U+0022"); // names the quote
        assertThat(consoleErrors()).as("console errors but the refused requests'").allSatisfy(entry ->
                assertThat(entry.getMessage()).contains("status of 422"));

        // a penalty out of its range: the field refuses it, nothing is sent, and the status line says why
        setValue("grammar", "");
        setValue("frequency-penalty", "5");
        int sent = sentCount();
        browser.findElement(By.id("generate")).click();
        waiting().until(d -> d.findElement(By.id("status")).getText().startsWith("not sent: Frequency penalty: "));
        assertThat(browser.findElement(By.id("status")).getText()).contains("2");
        assertThat((Boolean) ((JavascriptExecutor) browser).executeScript("return document.getElementById('frequency-penalty').validity.rangeOverflow"))
                .isTrue();
        assertThat(browser.switchTo().activeElement()).isEqualTo(browser.findElement(By.id("frequency-penalty"))); // the browser points at it
        assertThat(sentCount()).isEqualTo(sent);
        setValue("frequency-penalty", "0");

        // at phone width the Write view, its new controls included, stays one column with nothing off the side
        browser.manage().window().setSize(new Dimension(390, 1600));
        waiting().until(d -> ((Number) ((JavascriptExecutor) d).executeScript("return window.innerWidth")).intValue() <= 400);
        assertThat(((Number) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue()).isLessThanOrEqualTo(0);
        screenshot(browser.findElement(By.id("playground")), "playground-write-phone.png");
        assertNoConsoleErrors();
    }

    @Test
    @SuppressWarnings("unchecked")
    void lookInsideTheModel() throws Exception {
        browser.manage().window().setSize(new Dimension(1280, 2400));
        browser.get("http://127.0.0.1:" + port + "/#inside");
        JavascriptExecutor page = (JavascriptExecutor) browser;
        waiting().until(d -> d.findElement(By.id("inside-view")).isDisplayed());
        assertThat(browser.findElement(By.id("tab-inside")).getDomAttribute("aria-selected")).isEqualTo("true");
        waiting().until(d -> d.findElement(By.id("inside-status")).getText().matches("read in .*|error: .*"));
        assertThat(browser.findElement(By.id("inside-status")).getText()).startsWith("read in");
        String text = value("inside-text");
        int n = text.length();

        // the model's shape, asked of the route itself: as many thumbnails as layers × heads, the page names what it read
        Map<String, Object> inspected = (Map<String, Object>) page.executeAsyncScript("""
                fetch('/inspect', {method: 'POST', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({inputs: arguments[0], hooks: ['blocks.0.attn.hook_pattern']})})
                  .then((r) => r.json()).then(arguments[arguments.length - 1])""", text);
        Map<String, Object> config = (Map<String, Object>) inspected.get("config");
        int layers = ((Number) config.get("n_layer")).intValue(), heads = ((Number) config.get("n_head")).intValue();
        assertThat(browser.findElements(By.cssSelector("#attention-thumbs button.thumb"))).hasSize(layers * heads);
        assertThat(browser.findElements(By.cssSelector("#attention-thumbs [aria-pressed='true']"))).hasSize(1);
        assertThat(text("inside-read")).startsWith("read " + inspected.get("model_version"));
        // the version picker lists what the inspection routes can read: the served one by default, then the store's
        Select version = new Select(browser.findElement(By.id("inside-version")));
        waiting().until(d -> version.getOptions().size() >= 2);
        assertThat(version.getFirstSelectedOption().getDomAttribute("value")).isEmpty();
        assertThat(version.getOptions().get(1).getText()).startsWith(String.valueOf(inspected.get("version"))).contains("(served)", "step");

        // hovering a character shows what it attends to: a row of weights that sums to 1, nothing on later characters
        List<WebElement> chars = browser.findElements(By.cssSelector("#attention-chars button.ch"));
        assertThat(chars).hasSize(n);
        int query = n / 2;
        new Actions(browser).moveToElement(chars.get(query)).perform();
        waiting().until(d -> chars.get(query).getDomAttribute("class").contains("query"));
        List<Double> row = weights("#attention-chars button.ch");
        assertThat(row.stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-3));
        assertThat(row.subList(query + 1, n)).allSatisfy(w -> assertThat(w).isZero());
        assertThat(chars.get(query + 1).getDomAttribute("aria-label")).contains("masked");
        assertThat(text("attention-caption")).contains("position " + query);

        // and so does keyboard focus: the last character is the text's one tab stop, the arrow keys move along it
        WebElement last = chars.get(n - 1);
        assertThat(last.getDomAttribute("tabindex")).isEqualTo("0");
        page.executeScript("arguments[0].focus()", last);
        last.sendKeys(Keys.ARROW_LEFT);
        assertThat(browser.switchTo().activeElement()).isEqualTo(chars.get(n - 2));
        waiting().until(d -> text("steps-caption").contains("position " + (n - 2) + ":"));
        // one head step by step, for that query: the masked keys read −∞, the softmax row sums to 1
        List<WebElement> steps = browser.findElements(By.cssSelector("#head-steps tr"));
        assertThat(steps).hasSize(n + 1);
        assertThat(steps.get(n).findElements(By.tagName("td")).get(2).getText()).isEqualTo("−∞");
        assertThat(steps.get(n - 2).findElements(By.tagName("td")).get(2).getText()).isNotEqualTo("−∞");
        assertThat(weights("#head-steps td[data-weight]").stream().mapToDouble(Double::doubleValue).sum())
                .isCloseTo(1.0, within(1e-3));
        assertThat(text("steps-caption")).contains("√" + config.get("d_head"));
        assertThat(text("steps-legend")).contains("dropout", "off");

        // LayerNorm: the focused character's normalised values have mean 0 and standard deviation 1
        waiting().until(d -> text("ln-normalized-caption").startsWith("normalised"));
        Matcher normalised = Pattern.compile("mean (\u2212?[\\d.]+), std ([\\d.]+)").matcher(text("ln-normalized-caption"));
        assertThat(normalised.find()).isTrue();
        assertThat(Double.parseDouble(normalised.group(1).replace('\u2212', '-'))).isCloseTo(0.0, within(0.002));
        // 1 but for LayerNorm's ε (1e-5) beside the variance
        assertThat(Double.parseDouble(normalised.group(2))).isCloseTo(1.0, within(0.01));
        assertThat(browser.findElements(By.cssSelector("#ln-after rect.bar"))).isNotEmpty();

        // another head from the keyboard: the thumbnails are one tab stop, arrows move, Enter picks
        WebElement firstThumb = browser.findElement(By.cssSelector("#attention-thumbs button.thumb"));
        page.executeScript("arguments[0].focus()", firstThumb);
        firstThumb.sendKeys(Keys.ARROW_RIGHT);
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        waiting().until(d -> text("attention-which").equals("layer 0, head 1"));
        assertThat(browser.findElement(By.cssSelector("#attention-thumbs [aria-pressed='true']")).getDomAttribute("aria-label"))
                .startsWith("layer 0, head 1");
        waiting().until(d -> text("steps-caption").startsWith("Layer 0, head 1"));

        // the logit lens: a row a position, a column a stage; its last cell is the model's answer, /logits' argmax
        waiting().until(d -> d.findElements(By.cssSelector("#lens-grid tr")).size() == n + 1);
        List<WebElement> lensRows = browser.findElements(By.cssSelector("#lens-grid tr"));
        assertThat(lensRows.get(1).findElements(By.tagName("td"))).hasSize(2 * layers + 1);
        Map<String, Object> logits = (Map<String, Object>) page.executeAsyncScript("""
                fetch('/logits', {method: 'POST', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({inputs: arguments[0], positions: 'last', top_n: 1})})
                  .then((r) => r.json()).then(arguments[arguments.length - 1])""", text);
        Map<String, Object> best = ((List<Map<String, Object>>) ((List<Map<String, Object>>) logits.get("positions")).get(0).get("top")).get(0);
        List<WebElement> lastRow = lensRows.get(n).findElements(By.tagName("td"));
        WebElement answer = lastRow.get(lastRow.size() - 1);
        assertThat(answer.getDomAttribute("data-top")).isEqualTo(best.get("text"));
        assertThat(Double.parseDouble(answer.getDomAttribute("data-prob")))
                .isCloseTo(Math.exp(((Number) best.get("logprob")).doubleValue()), within(1e-3));
        // its cells are one tab stop; the arrow keys move up and down a stage's column
        assertThat(answer.getDomAttribute("tabindex")).isEqualTo("0");
        page.executeScript("arguments[0].focus()", answer);
        answer.sendKeys(Keys.ARROW_UP);
        List<WebElement> above = lensRows.get(n - 1).findElements(By.tagName("td"));
        assertThat(browser.switchTo().activeElement()).isEqualTo(above.get(above.size() - 1));
        assertThat(text("lens-detail")).startsWith("Position " + (n - 2)).contains("entropy", "KL to the final");

        // the embedding map: every character, its neighbours on focus; the positional embeddings' cosines
        waiting().until(d -> d.findElements(By.cssSelector("#embedding-map g.emb")).size() == 65);
        WebElement firstToken = browser.findElement(By.cssSelector("#embedding-map g.emb"));
        page.executeScript("arguments[0].focus()", firstToken);
        waiting().until(d -> text("embedding-detail").contains("nearest"));
        assertThat(browser.findElements(By.cssSelector("#embedding-links line"))).hasSize(5);
        assertThat(((Number) page.executeScript("return document.getElementById('positional-cosine').width")).intValue())
                .isEqualTo(((Number) config.get("n_ctx")).intValue());

        // what if: lifting the causal mask changes the next character's 65 probabilities, not the served ones
        // nothing ticked: both sides are the model as served
        waiting().until(d -> d.findElements(By.cssSelector("#whatif-chart rect.intervened")).size() == 65);
        assertThat(text("whatif-kl")).startsWith("Tick a change");
        assertThat(weights("#whatif-chart rect.intervened", "data-prob")).isEqualTo(weights("#whatif-chart rect.baseline", "data-prob"));
        browser.findElement(By.id("wi-ablate")).click();
        waiting().until(d -> d.findElements(By.cssSelector("#whatif-chart rect.intervened")).size() == 65 && text("whatif-kl").startsWith("KL"));
        List<Double> served = weights("#whatif-chart rect.baseline", "data-prob");
        List<Double> ablated = weights("#whatif-chart rect.intervened", "data-prob");
        // the changed run's attention, drawn: with the mask in place nothing falls on later characters
        assertThat(weights("#whatif-attention figure.thumb", "data-above")).hasSize(layers * heads).allSatisfy(w -> assertThat(w).isZero());
        assertThat(served.stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-3));
        browser.findElement(By.id("wi-no-mask")).click();
        waiting().until(d -> !weights("#whatif-chart rect.intervened", "data-prob").equals(ablated));
        assertThat(weights("#whatif-chart rect.baseline", "data-prob")).isEqualTo(served);
        // with the mask lifted, position 0 sees the whole text: it changes too, and attention falls on later characters
        assertThat(weights("#whatif-positions .ch", "data-kl").get(0)).isPositive();
        assertThat(weights("#whatif-attention figure.thumb", "data-above")).anySatisfy(w -> assertThat(w).isGreaterThan(0.01));
        // a generation both ways, greedy
        browser.findElement(By.id("whatif-write")).click();
        waiting().until(d -> d.findElements(By.cssSelector("#whatif-generation pre")).size() == 2);
        assertThat(browser.findElements(By.cssSelector("#whatif-generation pre")))
                .allSatisfy(pre -> assertThat(pre.getDomProperty("textContent")).startsWith(text).hasSizeGreaterThan(n));

        screenshot(browser.findElement(By.id("playground")), "playground-inside.png");
        screenshot(browser.findElement(By.id("whatif-heading")), "playground-inside-whatif.png");
        // at phone width everything stays inside the window (wide tables and the chart scroll in their own boxes)
        browser.manage().window().setSize(new Dimension(390, 1600));
        waiting().until(d -> ((Number) ((JavascriptExecutor) d).executeScript("return window.innerWidth")).intValue() <= 400);
        assertThat(((Number) page.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue()).isLessThanOrEqualTo(0);
        screenshot(browser.findElement(By.id("attention-heading")), "playground-inside-phone.png");
        screenshot(browser.findElement(By.id("lens-heading")), "playground-inside-phone-lens.png");
        assertNoConsoleErrors();

        // another text: everything is redrawn for it; one the model cannot read is refused in the server's words
        setValue("inside-text", "JULIET:\nO Romeo");
        browser.findElement(By.id("inside-run")).click();
        waiting().until(d -> d.findElements(By.cssSelector("#attention-chars button.ch")).size() == 15
                && d.findElements(By.cssSelector("#lens-grid tr")).size() == 16 && text("inside-status").startsWith("read in"));
        setValue("inside-text", "ROMEO 2");
        browser.findElement(By.id("inside-run")).click();
        waiting().until(d -> text("inside-status").startsWith("error: 422"));
        assertThat(text("inside-status")).contains("inputs");
        assertThat(consoleErrors()).as("console errors but the refused request's").allSatisfy(entry ->
                assertThat(entry.getMessage()).contains("status of 422"));
    }

    /** A number attribute (data-weight unless named) of every element the selector finds, in order. */
    @SuppressWarnings("unchecked")
    private List<Double> weights(String selector, String... attribute) {
        String name = attribute.length > 0 ? attribute[0] : "data-weight";
        return ((List<Object>) ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll(arguments[0])].map((e) => Number(e.getAttribute(arguments[1])))", selector, name))
                .stream().map(v -> ((Number) v).doubleValue()).toList();
    }

    /** Generates and waits for the stream to end (the status line's summary, the Generate button back). */
    private void generateAndWait() {
        browser.findElement(By.id("generate")).click();
        waiting().until(d -> d.findElement(By.id("status")).getText().contains("tokens in") && d.findElement(By.id("generate")).isEnabled());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> sentParameters() {
        return (Map<String, Object>) ((JavascriptExecutor) browser).executeScript("return window.folioSent.at(-1).parameters");
    }

    private int sentCount() {
        return ((Number) ((JavascriptExecutor) browser).executeScript("return window.folioSent.length")).intValue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void pickTheModelForEveryView() throws Exception {
        browser.get("http://127.0.0.1:" + port + "/");
        waiting().until(d -> d.findElement(By.id("model-line")).getText().contains("parameters"));
        waiting().until(d -> !d.findElements(By.cssSelector("#loss-chart polyline.train")).isEmpty());
        JavascriptExecutor page = (JavascriptExecutor) browser;

        // the picker lists the models /info serves (the bundled store has one), labelled, the default picked
        List<String> served = (List<String>) page.executeAsyncScript(
                "fetch('/info').then((r) => r.json()).then((info) => arguments[0](info.models.map((m) => m.model_id)))");
        assertThat(served).containsExactly("shakespeare-char");
        WebElement picker = browser.findElement(By.id("model-picker"));
        Select select = new Select(picker);
        assertThat(select.getOptions()).extracting(option -> option.getDomAttribute("value")).isEqualTo(served);
        assertThat(select.getFirstSelectedOption().getText()).isEqualTo("shakespeare-char (default)");
        assertThat(picker.isDisplayed()).isTrue();
        assertThat(picker.isEnabled()).isTrue();
        assertThat(browser.findElement(By.cssSelector("label[for='model-picker']")).getText()).isEqualTo("Model");
        assertThat(picker.getDomAttribute("aria-describedby")).isEqualTo("model-line");
        assertThat(text("versions-model")).isEqualTo("shakespeare-char");

        // every request the page sends from here on, with its body
        page.executeScript("""
                window.folioRequests = [];
                const original = window.fetch;
                window.fetch = (url, options) => {
                  window.folioRequests.push({url, body: options && options.body ? JSON.parse(options.body) : null});
                  return original(url, options);
                };""");

        // pick it (the only one: picking what is picked fires no change by itself, so the page is told as a browser would)
        select.selectByValue("shakespeare-char");
        page.executeScript("arguments[0].dispatchEvent(new Event('change'))", picker);
        // the model line, the models panel and the next-character chart are the picked model's, asked for by name
        waiting().until(d -> urls().containsAll(List.of("/info?model=shakespeare-char", "/models?model=shakespeare-char",
                "/training/runs?model=shakespeare-char")));
        waiting().until(d -> d.findElement(By.id("model-line")).getText().startsWith("shakespeare-char v")
                && d.findElement(By.id("model-line")).getText().contains("parameters"));
        waiting().until(d -> !d.findElements(By.cssSelector("#loss-chart polyline.train")).isEmpty());
        assertThat(browser.findElement(By.id("versions")).getText()).contains("served");
        assertThat(browser.findElement(By.id("run-line")).getText()).startsWith("run r");
        waiting().until(d -> !sentTo("/logits").isEmpty());
        assertThat(sentTo("/logits").get(0)).containsEntry("model", "shakespeare-char");
        waiting().until(d -> d.findElements(By.cssSelector("#next-chart rect.bar")).size() == 10);
        assertThat(browser.getCurrentUrl()).doesNotContain("model="); // the default is no query
        assertThat(browser.findElement(By.id("grammar-vocabulary")).getText()).isEqualTo("newline, space, !$&',-.3:;?, A\u2013Z and a\u2013z");

        // Write: the prompt's next characters and the generation name it, and the status line says who wrote
        setValue("prompt", "JULIET:\nO Romeo");
        waiting().until(d -> sentTo("/logits").size() >= 2 && d.findElements(By.cssSelector("#next-chart rect.bar")).size() == 10);
        assertThat(sentTo("/logits")).allSatisfy(body -> assertThat(body).containsEntry("model", "shakespeare-char"));
        setValue("seed", "42");
        setValue("max-tokens", "20");
        generateAndWait();
        assertThat(sentTo("/generate_stream")).singleElement().satisfies(body -> assertThat(body)
                .containsEntry("model", "shakespeare-char").containsEntry("inputs", "JULIET:\nO Romeo"));
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("20 tokens in").contains("seed 42", "shakespeare-char v");
        assertThat(browser.findElements(By.cssSelector("#output-generated .tok"))).hasSize(20);

        // Chat: the template is the picked model's, and the prompt it renders and the reply are asked of it
        browser.findElement(By.id("tab-chat")).click();
        assertThat(value("chat-user-name")).isEqualTo("ROMEO");
        assertThat(value("chat-assistant-name")).isEqualTo("JULIET");
        setValue("chat-seed", "42");
        setValue("chat-max-tokens", "30");
        WebElement message = browser.findElement(By.id("chat-message"));
        message.sendKeys("Good morrow, fair Juliet!");
        message.sendKeys(Keys.ENTER);
        waitForReplies(1);
        assertThat(sentTo("/v1/chat/completions")).singleElement().satisfies(body -> assertThat(body).containsEntry("model", "shakespeare-char"));
        waiting().until(d -> !sentTo("/chat_tokenize").isEmpty());
        assertThat(sentTo("/chat_tokenize")).allSatisfy(body -> assertThat(body).containsEntry("model", "shakespeare-char"));
        browser.findElement(By.cssSelector("#chat-template summary")).click();
        waiting().until(d -> text("chat-template-source").contains("messages"));
        waiting().until(d -> text("chat-prompt").stripTrailing().endsWith("JULIET:"));
        // and every request the page sent named the model
        List<Map<String, Object>> requests = (List<Map<String, Object>>) page.executeScript("return window.folioRequests");
        assertThat(requests).filteredOn(request -> request.get("body") != null).isNotEmpty()
                .allSatisfy(request -> assertThat((Map<String, Object>) request.get("body")).as("%s", request.get("url"))
                        .containsEntry("model", "shakespeare-char"));
        assertThat(requests).filteredOn(request -> request.get("body") == null)
                .allSatisfy(request -> assertThat((String) request.get("url")).as("a GET").contains("?model=shakespeare-char"));

        // a model the address names but the server does not serve: the default, quietly
        browser.get("http://127.0.0.1:" + port + "/?model=no-such-model#chat");
        waiting().until(d -> d.findElement(By.id("model-line")).getText().contains("parameters"));
        assertThat(new Select(browser.findElement(By.id("model-picker"))).getFirstSelectedOption().getDomAttribute("value"))
                .isEqualTo("shakespeare-char");
        assertThat(browser.findElement(By.id("chat-view")).isDisplayed()).isTrue();
        assertThat(browser.getCurrentUrl()).endsWith("/#chat"); // the address no longer names it
        // the picker is the page's first stop for the keyboard
        new Actions(browser).sendKeys(Keys.TAB).perform();
        assertThat(browser.switchTo().activeElement().getDomAttribute("id")).isEqualTo("model-picker");

        // at phone width the picker and the model line fit, nothing off the side
        browser.manage().window().setSize(new Dimension(390, 1200));
        waiting().until(d -> ((Number) ((JavascriptExecutor) d).executeScript("return window.innerWidth")).intValue() <= 400);
        assertThat(((Number) page.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue()).isLessThanOrEqualTo(0);
        assertThat(((Number) page.executeScript(
                "return document.getElementById('model-picker').getBoundingClientRect().right - window.innerWidth")).doubleValue()).isLessThanOrEqualTo(0);
        assertNoConsoleErrors();
    }

    /** The URLs the page has fetched since the fetch was wrapped. */
    @SuppressWarnings("unchecked")
    private List<String> urls() {
        return ((List<Map<String, Object>>) ((JavascriptExecutor) browser).executeScript("return window.folioRequests"))
                .stream().map(request -> (String) request.get("url")).toList();
    }

    /** The bodies the page has sent to a path since the fetch was wrapped. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> sentTo(String path) {
        return (List<Map<String, Object>>) ((JavascriptExecutor) browser).executeScript(
                "return window.folioRequests.filter((r) => r.url === arguments[0]).map((r) => r.body)", path);
    }

    @Test
    void chatWithTheModelAsAPlayScript() throws Exception {
        browser.get("http://127.0.0.1:" + port + "/");
        waiting().until(d -> d.findElement(By.id("model-line")).getText().contains("parameters"));

        // the tabs work from the keyboard: arrow right from Write selects Chat
        WebElement writeTab = browser.findElement(By.id("tab-write"));
        WebElement chatTab = browser.findElement(By.id("tab-chat"));
        assertThat(browser.findElement(By.id("chat-view")).isDisplayed()).isFalse();
        writeTab.sendKeys(Keys.ARROW_RIGHT);
        assertThat(chatTab.getAttribute("aria-selected")).isEqualTo("true");
        assertThat(writeTab.getAttribute("aria-selected")).isEqualTo("false");
        assertThat(browser.switchTo().activeElement()).isEqualTo(chatTab);
        assertThat(browser.findElement(By.id("chat-view")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("write-view")).isDisplayed()).isFalse();

        // the defaults
        assertThat(value("chat-user-name")).isEqualTo("ROMEO");
        assertThat(value("chat-assistant-name")).isEqualTo("JULIET");
        assertThat(value("chat-max-tokens")).isEqualTo("200");
        assertThat(value("chat-temperature")).isEqualTo("0.8");
        assertThat(value("chat-top-p")).isEqualTo("1");
        assertThat(value("chat-seed")).isEmpty();
        assertThat(browser.findElement(By.id("chat-empty")).isDisplayed()).isTrue();

        // a stage direction (the system message) shows as one, in italics
        setValue("chat-seed", "42");
        setValue("chat-max-tokens", "40");
        setValue("chat-system", "A street in Verona.");
        WebElement direction = browser.findElement(By.id("chat-direction"));
        assertThat(direction.isDisplayed()).isTrue();
        assertThat(direction.getText()).isEqualTo("A street in Verona.");
        assertThat(direction.getDomAttribute("class")).contains("stage-direction");
        assertThat(direction.getCssValue("font-style")).isEqualTo("italic");

        // say a line (with a curly apostrophe, which the server reads as a straight one) and Send it
        String first = "Good morrow, fair Juliet! Where\u2019s thy nurse?";
        browser.findElement(By.id("chat-message")).sendKeys(first);
        browser.findElement(By.id("chat-send")).click();
        waitForReplies(1);
        assertThat(value("chat-message")).isEmpty();
        assertThat(browser.findElement(By.id("chat-status")).getText()).matches("\\d+ tokens in .*, finish: (stop|length).*");
        assertThat(browser.findElement(By.id("chat-empty")).isDisplayed()).isFalse();

        List<WebElement> speeches = browser.findElements(By.cssSelector("#chat-speeches .speech"));
        assertThat(speeches).hasSize(2);
        assertThat(speeches.get(0).getDomAttribute("class")).contains("user");
        assertThat(speeches.get(1).getDomAttribute("class")).contains("assistant");
        assertThat(speaker(speeches.get(0))).isEqualTo("ROMEO:");
        assertThat(lines(speeches.get(0))).isEqualTo(first);
        assertThat(speaker(speeches.get(1))).isEqualTo("JULIET:");
        String reply = lines(speeches.get(1));
        assertThat(reply).isNotEmpty().hasSizeLessThanOrEqualTo(40);
        WebElement name = speeches.get(1).findElement(By.cssSelector(".speaker"));
        assertThat(name.getCssValue("font-weight")).isEqualTo("700");
        assertThat(name.getCssValue("font-variant-caps")).isEqualTo("small-caps");

        // Show template: the template's source and the prompt it renders for this conversation
        browser.findElement(By.cssSelector("#chat-template summary")).click();
        WebElement source = browser.findElement(By.id("chat-template-source"));
        waiting().until(d -> source.isDisplayed() && source.getText().contains("messages"));
        waiting().until(d -> text("chat-prompt").contains("JULIET:\n" + reply.strip()));
        String prompt = text("chat-prompt");
        assertThat(prompt).contains("A street in Verona.\n\nROMEO:\n", "Where's thy nurse?");
        assertThat(prompt).doesNotContain("\u2019");
        assertThat(prompt.stripTrailing()).endsWith("JULIET:");
        assertThat(browser.findElement(By.id("chat-prompt-caption")).getText()).contains("tokens");

        // the keyboard: Shift+Enter starts a new line, Enter sends
        WebElement message = browser.findElement(By.id("chat-message"));
        message.sendKeys("Speak again,");
        message.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
        message.sendKeys("bright angel!");
        assertThat(browser.findElements(By.cssSelector("#chat-speeches .speech"))).hasSize(2); // not sent yet
        // the prompt follows the draft line as it is typed
        waiting().until(d -> text("chat-prompt").contains("Speak again,\nbright angel!"));
        message.sendKeys(Keys.ENTER);
        waitForReplies(2);
        assertThat(browser.findElements(By.cssSelector("#chat-speeches .speech.user"))).hasSize(2);
        List<WebElement> replies = browser.findElements(By.cssSelector("#chat-speeches .speech.assistant"));
        assertThat(replies).hasSize(2);
        assertThat(lines(browser.findElements(By.cssSelector("#chat-speeches .speech.user")).get(1))).isEqualTo("Speak again,\nbright angel!");
        assertThat(speaker(replies.get(1))).isEqualTo("JULIET:");
        assertThat(lines(replies.get(1))).hasSizeLessThanOrEqualTo(40);
        assertThat(browser.switchTo().activeElement()).isEqualTo(message); // ready for the next line
        String secondReply = lines(replies.get(1)).strip();
        waiting().until(d -> text("chat-prompt").contains("bright angel!\n\nJULIET:\n" + secondReply));
        assertThat(text("chat-prompt").stripTrailing()).endsWith("JULIET:");

        // a tall window, to see the whole panel (the script, the controls and the template)
        browser.manage().window().setSize(new Dimension(1280, 2000));
        screenshot(browser.findElement(By.id("playground")), "playground-chat.png");
        // at phone width the page is one column and nothing runs off the side
        browser.manage().window().setSize(new Dimension(390, 1600));
        waiting().until(d -> ((Number) ((JavascriptExecutor) d).executeScript("return window.innerWidth")).intValue() <= 400);
        assertThat(((Number) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue()).isLessThanOrEqualTo(0);
        screenshot(browser.findElement(By.id("playground")), "playground-chat-phone.png");
        assertNoConsoleErrors();

        // Clear: a new scene
        browser.findElement(By.id("chat-clear")).click();
        assertThat(browser.findElements(By.cssSelector("#chat-speeches .speech"))).isEmpty();
        assertThat(browser.findElement(By.id("chat-empty")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("chat-status")).getText()).contains("Cleared");
        waiting().until(d -> text("chat-prompt").isEmpty());

        // another speaker for the model: the template opens the reply with that name
        setValue("chat-assistant-name", "NURSE");
        message.sendKeys("Nurse, where is thy lady?");
        waiting().until(d -> text("chat-prompt").stripTrailing().endsWith("ROMEO:\nNurse, where is thy lady?\n\nNURSE:"));
        message.sendKeys(Keys.ENTER);
        waitForReplies(1);
        assertThat(speaker(browser.findElement(By.cssSelector("#chat-speeches .speech.assistant")))).isEqualTo("NURSE:");
        waiting().until(d -> text("chat-prompt").contains("NURSE:\n" + lines(d.findElement(By.cssSelector("#chat-speeches .speech.assistant"))).strip()));
        browser.findElement(By.id("chat-clear")).click();

        // Stop cuts a long speech short, and keeps what was said
        setValue("chat-max-tokens", "2048");
        setValue("chat-temperature", "2");
        // the page itself presses Stop at the fifth character: a reply that ends by itself within Selenium's
        // polling interval (half a second, a hundred tokens on a fast machine) would otherwise leave nothing to stop
        ((JavascriptExecutor) browser).executeScript("""
                const speeches = document.getElementById('chat-speeches');
                const stopAtFive = new MutationObserver(() => {
                  const speaking = speeches.querySelector('.speech.assistant.streaming .lines');
                  if (speaking && speaking.textContent.length >= 5) {
                    stopAtFive.disconnect();
                    document.getElementById('chat-stop').click();
                  }
                });
                stopAtFive.observe(speeches, {childList: true, subtree: true, characterData: true});""");
        message.sendKeys("Speak on, speak on!");
        message.sendKeys(Keys.ENTER);
        waiting().until(d -> d.findElement(By.id("chat-status")).getText().startsWith("stopped after"));
        WebElement stopped = browser.findElement(By.cssSelector("#chat-speeches .speech.assistant"));
        assertThat(stopped.findElement(By.cssSelector(".note")).getText()).isEqualTo("(stopped)");
        assertThat(lines(stopped)).hasSizeGreaterThanOrEqualTo(5);
        assertThat(browser.findElement(By.id("chat-send")).isEnabled()).isTrue();
        assertThat(browser.findElement(By.id("chat-stop")).isEnabled()).isFalse();
        browser.findElement(By.id("chat-clear")).click();

        // an error: the server's message in the status line, and the line back in the box to mend
        message.sendKeys("Give me 2 kisses.");
        message.sendKeys(Keys.ENTER);
        waiting().until(d -> d.findElement(By.id("chat-status")).getText().startsWith("error: 422"));
        assertThat(browser.findElement(By.id("chat-status")).getText()).contains("messages[1].content"); // [0] is the stage direction
        assertThat(browser.findElements(By.cssSelector("#chat-speeches .speech"))).isEmpty();
        assertThat(value("chat-message")).isEqualTo("Give me 2 kisses.");
        assertThat(browser.findElement(By.id("chat-send")).isEnabled()).isTrue();
        assertThat(consoleErrors()).as("console errors but the refused request's").allSatisfy(entry ->
                assertThat(entry.getMessage()).contains("status of 422"));
    }

    private void waitForReplies(int count) {
        waiting().until(d -> d.findElements(By.cssSelector("#chat-speeches .speech.assistant")).size() == count
                && d.findElements(By.cssSelector("#chat-speeches .speech.streaming")).isEmpty()
                && d.findElement(By.id("chat-send")).isEnabled()
                && d.findElement(By.id("chat-status")).getText().contains("finish:"));
    }

    private static String speaker(WebElement speech) {
        return speech.findElement(By.cssSelector(".speaker .name")).getText();
    }

    /** What a speech says, exactly (getText would trim it). */
    private static String lines(WebElement speech) {
        return speech.findElement(By.cssSelector(".lines")).getDomProperty("textContent");
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getDomProperty("textContent");
    }

    private String value(String id) {
        return browser.findElement(By.id(id)).getDomProperty("value");
    }

    /** Scrolls the element into view and saves what the window shows to target/. */
    private void screenshot(WebElement element, String name) throws Exception {
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'start'})", element);
        Path screenshot = Path.of("target", name);
        Files.createDirectories(screenshot.getParent());
        Files.write(screenshot, browser.getScreenshotAs(OutputType.BYTES));
    }

    /** The errors logged to the console since the last look. */
    private List<LogEntry> consoleErrors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    }

    private void assertNoConsoleErrors() {
        assertThat(consoleErrors()).as("console errors").isEmpty();
        // the check above can fail: an error logged now is captured
        ((JavascriptExecutor) browser).executeScript("console.error('folio-probe')");
        assertThat(browser.manage().logs().get(LogType.BROWSER).getAll()).anyMatch(entry -> entry.getMessage().contains("folio-probe"));
    }

    private void setValue(String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        if (!value.isEmpty()) {
            input.sendKeys(value);
        }
    }

}
