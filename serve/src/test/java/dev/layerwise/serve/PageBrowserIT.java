package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import dev.layerwise.model.Model;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.optim.Adam;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.train.Trainer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser (the system's headless Chromium): a real MNIST test digit is traced onto the canvas with
 * pointer events, and the page must show the class the model gives that digit. Saves a screenshot of the page.
 */
class PageBrowserIT {
    static final File CHROMIUM = new File("/usr/bin/chromium");
    static final File DRIVER = new File("/usr/bin/chromedriver");
    /** MNIST pixels at least this bright are traced. */
    static final int INK = 100;

    @Test
    void aDigitDrawnOnThePageIsClassifiedAsPredictClassifiesIt(@TempDir Path profile) throws Exception {
        if (!CHROMIUM.canExecute() || !DRIVER.canExecute()) {
            String message = "Chromium is not installed (apt-get install chromium chromium-driver): the page's "
                    + "browser test is skipped";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message.replace("is skipped", "cannot run, and CI must run it"));
            }
            Assumptions.abort(message);
        }
        Path dir = new MnistFetcher().fetch();
        Mnist.Data mnist = Mnist.load(dir, Mnist.Options.defaults().withFlatten(false));
        SimpleConvNet net = new SimpleConvNet();
        Trainer.builder(net, new Adam(), mnist.train(), mnist.test()).iterations(300).batchSize(100).seed(7)
                .evalSampleSize(100).build().run();
        Model model = Model.of(net).withContract(DataContract.mnist());

        // A test digit the model is sure of, as predict sees it: the 28×28 image taken as it is.
        Mnist.Split test = Mnist.readSplit(dir, Mnist.TEST_IMAGES, Mnist.TEST_LABELS);
        int digit = -1;
        int expected = -1;
        for (int i = 0; i < 100 && digit < 0; i++) {
            Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 28, 28);
            for (int p = 0; p < 784; p++) {
                x.setDouble(p, test.pixel(i, p) / 255.0);
            }
            Tensor probs = model.probabilities(x);
            int c = model.classify(x)[0];
            if (c == test.labels()[i] && probs.getDouble(c) > 0.99 && c != 1) {
                digit = i;
                expected = c;
            }
        }
        assertTrue(digit >= 0, "no confidently classified digit among the first 100");

        try (Server server = Server.start(model, ServeOptions.defaults().withPort(0))) {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--window-size=1280,1400",
                    "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER)
                    .usingAnyFreePort().build();
            ChromeDriver driver = new ChromeDriver(service, options);
            try {
                driver.get(server.url() + "/");
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                wait.until(d -> d.findElement(By.id("model-line")).getText().contains("simple-convnet"));
                WebElement pad = driver.findElement(By.id("pad"));
                trace(driver, pad, test, digit);
                wait.until(d -> "done".equals(d.findElement(By.id("prediction")).getAttribute("data-state")));
                String shown = driver.findElement(By.id("prediction")).getText();
                byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
                Path shot = Path.of("target", "serve-page.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, png);
                System.out.println("page screenshot: " + shot.toAbsolutePath());
                assertEquals(model.contract().classNames().get(expected), shown,
                        "test digit " + digit + " (a " + test.labels()[digit] + ") drawn on the page");
                List<WebElement> layers = driver.findElements(By.cssSelector("#layers .layer"));
                assertEquals(6, layers.size(), "one row per layer of the convnet");
                assertTrue(layers.get(0).getText().contains("Conv1") && layers.get(0).getText().contains("(30, 24, 24)"),
                        layers.get(0).getText());
            } finally {
                driver.quit();
            }
        }
    }

    /** Draws the digit's bright pixels, row by row, one stroke per run, on the 280×280 pad (10 px a pixel). */
    static void trace(ChromeDriver driver, WebElement pad, Mnist.Split test, int digit) {
        int scale = pad.getSize().getWidth() / 28;
        int half = pad.getSize().getWidth() / 2;
        for (int y = 0; y < 28; y++) {
            int x = 0;
            while (x < 28) {
                if (test.pixel(digit, y * 28 + x) < INK) {
                    x++;
                    continue;
                }
                int start = x;
                while (x < 28 && test.pixel(digit, y * 28 + x) >= INK) {
                    x++;
                }
                int cy = y * scale + scale / 2 - half;
                new Actions(driver).moveToElement(pad, start * scale + scale / 2 - half, cy).clickAndHold()
                        .moveByOffset((x - 1 - start) * scale, 0).release().perform();
            }
        }
    }
}
