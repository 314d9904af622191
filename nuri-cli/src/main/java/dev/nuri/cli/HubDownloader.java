package dev.nuri.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.NuriException;
import dev.nuri.util.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Downloads a model repository from a Hugging Face hub (or a mirror speaking the same API) into a folder.
 *
 * <p>The file list comes from {@code GET {endpoint}/api/models/{repo}/revision/{revision}?blobs=true} (each sibling's
 * {@code rfilename}, {@code size} and, for files stored in LFS, {@code lfs.sha256}); each file from
 * {@code GET {endpoint}/{repo}/resolve/{revision}/{file}} (redirects followed). A file is written to
 * {@code <name>.part} and renamed only after its size and (where the hub gives one) SHA-256 match, so a finished name
 * is always a complete, verified file. An interrupted download resumes from the {@code .part} file's length with an
 * HTTP {@code Range} request; a server that ignores the range (200 instead of 206) restarts it from zero.
 */
final class HubDownloader {
    /** The files of a transformers model that Nuri reads, besides the weights. */
    private static final List<String> MODEL_FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json", "model.safetensors.index.json");

    record RemoteFile(String name, long size, String sha256) {
    }

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String endpoint;
    private final String token;

    HubDownloader(String endpoint, String token) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.token = token;
    }

    /** Every file of {@code repo} at {@code revision}, with sizes and LFS checksums. */
    List<RemoteFile> list(String repo, String revision) throws IOException, InterruptedException {
        URI uri = URI.create(endpoint + "/api/models/" + repo + "/revision/" + encode(revision) + "?blobs=true");
        HttpResponse<String> r = http.send(request(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new NuriException(repo + ": the hub refused access (HTTP " + r.statusCode()
                    + "); for a gated or private model set HF_TOKEN to a token that may read it");
        }
        if (r.statusCode() == 404) {
            throw new NuriException(repo + ": no such repository or revision '" + revision + "' on " + endpoint);
        }
        if (r.statusCode() != 200) {
            throw new NuriException(repo + ": listing its files failed with HTTP " + r.statusCode() + " from " + uri);
        }
        JsonNode siblings = json.readTree(r.body()).get("siblings");
        if (siblings == null || !siblings.isArray()) {
            throw new NuriException(repo + ": the hub's answer has no 'siblings' file list (" + uri + ")");
        }
        List<RemoteFile> files = new ArrayList<>();
        for (JsonNode s : siblings) {
            String name = s.path("rfilename").asText("");
            if (name.isEmpty() || name.startsWith("/") || name.contains("..") || name.contains("\\")) {
                throw new NuriException(repo + ": refusing a file name that leaves the model folder: '" + name + "'");
            }
            JsonNode lfs = s.get("lfs");
            long size = lfs != null && lfs.has("size") ? lfs.get("size").asLong() : s.path("size").asLong(-1);
            String sha = lfs != null && lfs.hasNonNull("sha256") ? lfs.get("sha256").asText() : null;
            files.add(new RemoteFile(name, size, sha));
        }
        return files;
    }

    /**
     * The files Nuri needs: the model's JSON/Jinja files plus its safetensors weights; or, for a GGUF repository,
     * the GGUF file named by {@code ggufFile} (required when there are several).
     */
    static List<RemoteFile> select(String repo, List<RemoteFile> files, String ggufFile) {
        List<RemoteFile> ggufs = files.stream().filter(f -> f.name().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")).toList();
        if (ggufFile != null) {
            return List.of(files.stream().filter(f -> f.name().equals(ggufFile)).findFirst().orElseThrow(() ->
                    new NuriException(repo + " has no file " + ggufFile + "; its GGUF files: " + names(ggufs))));
        }
        List<RemoteFile> weights = files.stream().filter(f -> f.name().endsWith(".safetensors") && !f.name().contains("/")).toList();
        if (!weights.isEmpty()) {
            List<RemoteFile> out = new ArrayList<>(files.stream().filter(f -> MODEL_FILES.contains(f.name())).toList());
            out.addAll(weights);
            return out;
        }
        if (ggufs.size() == 1) {
            return ggufs;
        }
        if (ggufs.size() > 1) {
            throw new NuriException(repo + " holds " + ggufs.size() + " GGUF files; choose one with --file: " + names(ggufs));
        }
        throw new NuriException(repo + " has neither safetensors weights nor a GGUF file that Nuri can run");
    }

    private static String names(List<RemoteFile> files) {
        return String.join(", ", files.stream().map(RemoteFile::name).toList());
    }

    /** Downloads {@code file} into {@code folder}, resuming a {@code .part} file, and verifies it. */
    void download(String repo, String revision, RemoteFile file, Path folder, Progress progress)
            throws IOException, InterruptedException {
        Path target = folder.resolve(file.name()).normalize();
        if (!target.startsWith(folder)) {
            throw new NuriException(repo + ": file name '" + file.name() + "' leaves the model folder");
        }
        if (Files.exists(target) && (file.size() < 0 || Files.size(target) == file.size())) {
            return; // already complete (it was verified before it got its name)
        }
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(target.getFileName() + ".part");
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (file.size() >= 0 && have > file.size()) {
            Files.delete(part);
            have = 0;
        }
        URI uri = URI.create(endpoint + "/" + repo + "/resolve/" + encode(revision) + "/" + encodePath(file.name()));
        HttpRequest.Builder req = request(uri).GET();
        if (have > 0) {
            req.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        boolean append = have > 0 && r.statusCode() == 206;
        if (r.statusCode() == 416 && have == file.size()) {
            append = true; // the part file is already whole
        } else if (r.statusCode() != 200 && r.statusCode() != 206) {
            r.body().close();
            throw new NuriException(repo + "/" + file.name() + ": download failed with HTTP " + r.statusCode() + " from " + uri);
        }
        if (!append) {
            have = 0;
        }
        long total = file.size() >= 0 ? file.size() : r.headers().firstValueAsLong("Content-Length").orElse(-1) + have;
        progress.start(file.name(), total);
        try (InputStream in = r.body();
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            long done = have;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                done += n;
                progress.update(done, "");
            }
        }
        verify(repo, file, part);
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        progress.finish(file.name() + ": " + Files.size(target) + " bytes" + (file.sha256() != null ? ", SHA-256 verified" : ""));
    }

    private static void verify(String repo, RemoteFile file, Path part) throws IOException {
        long size = Files.size(part);
        if (file.size() >= 0 && size != file.size()) {
            throw new NuriException(repo + "/" + file.name() + ": got " + size + " bytes but the hub lists " + file.size()
                    + "; run nuri pull again to resume");
        }
        if (file.sha256() != null) {
            String actual = sha256(part);
            if (!actual.equalsIgnoreCase(file.sha256())) {
                Files.delete(part);
                throw new NuriException(repo + "/" + file.name() + ": SHA-256 " + actual + " does not match the hub's "
                        + file.sha256() + "; the partial file was deleted, run nuri pull again");
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("User-Agent", "nuri");
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/")) {
            out.append(out.isEmpty() ? "" : "/").append(encode(segment));
        }
        return out.toString();
    }
}
