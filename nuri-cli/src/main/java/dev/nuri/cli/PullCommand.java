package dev.nuri.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nuri pull org/name}: downloads a model from the Hugging Face hub into the local model store. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = "Download a model (safetensors + config + tokenizer, or one GGUF file) from the Hugging Face hub "
                + "into the local model store, resuming interrupted downloads and checking SHA-256 sums.")
final class PullCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ORG/NAME", description = "Repository id, e.g. Qwen/Qwen2.5-0.5B-Instruct.")
    String repo;

    @Option(names = "--file", paramLabel = "NAME", description = "The GGUF file to fetch, when the repository holds several.")
    String file;

    @Option(names = "--revision", paramLabel = "REV", description = "Branch, tag or commit (default: ${DEFAULT-VALUE}).")
    String revision = "main";

    @Option(names = "--endpoint", paramLabel = "URL", defaultValue = "${env:HF_ENDPOINT:-https://huggingface.co}",
            description = "Hub address (default: $HF_ENDPOINT or https://huggingface.co).")
    String endpoint;

    @Option(names = "--store", paramLabel = "DIR", description = "Model store folder (default: $NURI_MODELS or ~/.cache/nuri/hub).")
    Path store;

    @Override
    public Integer call() throws Exception {
        ModelStore models = store != null ? new ModelStore(store) : ModelStore.standard();
        Path folder = models.folder(repo);
        HubDownloader hub = new HubDownloader(endpoint, System.getenv("HF_TOKEN"));
        List<HubDownloader.RemoteFile> files = HubDownloader.select(repo, hub.list(repo, revision), file);
        TerminalProgress progress = TerminalProgress.onStderr();
        for (HubDownloader.RemoteFile f : files) {
            hub.download(repo, revision, f, folder, progress);
        }
        System.out.println(models.modelPath(repo));
        return 0;
    }
}
