package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nuri pull} against a local HTTP server that answers the way the Hugging Face hub does: the file list from
 * {@code /api/models/{repo}/revision/{rev}?blobs=true} (sizes, LFS SHA-256), files from {@code /{repo}/resolve/{rev}/{file}}
 * with a redirect to a "CDN" path that honours Range requests.
 */
class PullCommandTest {
    @TempDir
    Path store;

    private HttpServer hub;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Map<String, String> listedSha = new LinkedHashMap<>();
    private final AtomicLong bytesServed = new AtomicLong();

    @BeforeEach
    void startHub() throws IOException {
        byte[] weights = new byte[300_000];
        new Random(7).nextBytes(weights);
        files.put("config.json", "{\"model_type\": \"llama\"}".getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", "{\"model\": {}}".getBytes(StandardCharsets.UTF_8));
        files.put("model.safetensors", weights);
        files.put("README.md", "# not needed".getBytes(StandardCharsets.UTF_8));
        listedSha.put("model.safetensors", HubDownloaderSha.of(weights));
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/", this::answer);
        hub.start();
    }

    @AfterEach
    void stopHub() {
        hub.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/api/models/org/tiny/revision/main")) {
            StringBuilder json = new StringBuilder("{\"id\": \"org/tiny\", \"sha\": \"0123abcd\", \"siblings\": [");
            boolean first = true;
            for (var e : files.entrySet()) {
                json.append(first ? "" : ",").append("{\"rfilename\": \"").append(e.getKey()).append("\", \"size\": ")
                        .append(e.getValue().length);
                if (listedSha.containsKey(e.getKey())) {
                    json.append(", \"lfs\": {\"sha256\": \"").append(listedSha.get(e.getKey())).append("\", \"size\": ")
                            .append(e.getValue().length).append(", \"pointerSize\": 134}");
                }
                json.append('}');
                first = false;
            }
            send(ex, 200, json.append("]}").toString().getBytes(StandardCharsets.UTF_8), null);
        } else if (path.startsWith("/org/tiny/resolve/main/")) {
            ex.getResponseHeaders().add("Location", "/cdn/" + path.substring("/org/tiny/resolve/main/".length()));
            send(ex, 302, new byte[0], null);
        } else if (path.startsWith("/cdn/") && files.containsKey(path.substring(5))) {
            byte[] data = files.get(path.substring(5));
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) {
                int from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
                send(ex, 206, Arrays.copyOfRange(data, from, data.length), path);
            } else {
                send(ex, 200, data, path);
            }
        } else {
            send(ex, 404, "{\"error\": \"not found\"}".getBytes(StandardCharsets.UTF_8), null);
        }
    }

    private void send(HttpExchange ex, int status, byte[] body, String countedPath) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        if (countedPath != null) {
            bytesServed.addAndGet(body.length);
        }
        ex.close();
    }

    private CliRun pull(String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "pull";
        args[1] = "--endpoint=http://127.0.0.1:" + hub.getAddress().getPort();
        args[2] = "--store=" + store;
        System.arraycopy(extra, 0, args, 3, extra.length);
        args[args.length - 1] = "org/tiny";
        return CliRun.of(args);
    }

    @Test
    void pullsTheModelFilesIntoTheStoreAndVerifiesThem() throws IOException {
        CliRun r = pull();
        assertEquals(0, r.code(), r.err());
        Path folder = store.resolve("org/tiny");
        assertEquals(folder.toString(), r.out().strip());
        for (String name : new String[] {"config.json", "tokenizer.json", "model.safetensors"}) {
            assertArrayEquals(files.get(name), Files.readAllBytes(folder.resolve(name)), name);
        }
        assertFalse(Files.exists(folder.resolve("README.md")), "only the files a model needs are pulled");
        assertTrue(r.err().contains("SHA-256 verified"), r.err());
        assertEquals(folder, ServeCommand.resolveModel("org/tiny", new ModelStore(store)));
        assertEquals(folder, ServeCommand.resolveModel(null, new ModelStore(store)), "the store's only model");

        long before = bytesServed.get();
        assertEquals(0, pull().code());
        assertEquals(before, bytesServed.get(), "complete files are not fetched again");
    }

    @Test
    void anInterruptedDownloadResumesFromThePartFile() throws IOException {
        Path folder = Files.createDirectories(store.resolve("org/tiny"));
        byte[] weights = files.get("model.safetensors");
        Files.write(folder.resolve("model.safetensors.part"), Arrays.copyOf(weights, 120_000));
        CliRun r = pull();
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(weights, Files.readAllBytes(folder.resolve("model.safetensors")));
        assertFalse(Files.exists(folder.resolve("model.safetensors.part")));
        long small = files.get("config.json").length + files.get("tokenizer.json").length;
        assertEquals(weights.length - 120_000 + small, bytesServed.get(), "only the missing bytes were fetched");
    }

    @Test
    void aChecksumMismatchIsAnErrorAndLeavesNoFile() {
        listedSha.put("model.safetensors", "00".repeat(32));
        CliRun r = pull();
        assertEquals(1, r.code());
        assertTrue(r.err().contains("model.safetensors: SHA-256"), r.err());
        assertFalse(Files.exists(store.resolve("org/tiny/model.safetensors")));
    }

    @Test
    void unknownRepositoriesAndBadIdsAreNamed() {
        CliRun missing = CliRun.of("pull", "--endpoint=http://127.0.0.1:" + hub.getAddress().getPort(),
                "--store=" + store, "org/none");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("org/none: no such repository"), missing.err());
        CliRun bad = CliRun.of("pull", "--store=" + store, "../etc");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("not a Hugging Face repository id"), bad.err());
    }
}
