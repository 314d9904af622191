package dev.nuri.format.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nuri.format.ModelFormatException;
import dev.nuri.format.TensorSource;
import dev.nuri.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model split over several safetensors files, described by {@code model.safetensors.index.json}
 * ({@code {"metadata": {...}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors", ...}}}).
 * Every shard is opened and validated up front, and every tensor the index names must be in its shard.
 */
public final class ShardedSafetensors implements TensorSource {
    private final Path indexPath;
    private final Map<String, SafetensorsFile> shardOf; // weight_map order
    private final List<SafetensorsFile> shards;
    private final List<String> names;

    private ShardedSafetensors(Path indexPath, Map<String, SafetensorsFile> shardOf, List<SafetensorsFile> shards) {
        this.indexPath = indexPath;
        this.shardOf = shardOf;
        this.shards = shards;
        this.names = List.copyOf(shardOf.keySet());
    }

    public static ShardedSafetensors open(Path indexPath) {
        JsonNode root;
        try {
            root = SafetensorsFile.JSON.readTree(Files.readAllBytes(indexPath));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(indexPath + ": no such file");
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(indexPath + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(indexPath + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelFormatException(indexPath + ": no \"weight_map\" object");
        }
        Path dir = indexPath.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> byShardName = new LinkedHashMap<>();
        Map<String, SafetensorsFile> shardOf = new LinkedHashMap<>();
        try {
            for (var it = map.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                String tensor = e.getKey();
                if (!e.getValue().isTextual()) {
                    throw new ModelFormatException(indexPath + ": weight_map entry for '" + tensor
                            + "' is not a file name");
                }
                String shardName = e.getValue().textValue();
                SafetensorsFile shard = byShardName.get(shardName);
                if (shard == null) {
                    Path shardPath = dir.resolve(shardName).normalize();
                    if (!shardPath.getParent().equals(dir.normalize()) || shardName.isEmpty()) {
                        throw new ModelFormatException(indexPath + ": shard '" + shardName + "' (for tensor '"
                                + tensor + "') is not a file name in the index's folder");
                    }
                    if (!Files.exists(shardPath)) {
                        throw new ModelFormatException(indexPath + ": shard '" + shardName + "' (holding '" + tensor
                                + "') is missing: " + shardPath);
                    }
                    shard = SafetensorsFile.open(shardPath);
                    byShardName.put(shardName, shard);
                }
                if (!shard.has(tensor)) {
                    throw new ModelFormatException(indexPath + ": the index puts tensor '" + tensor + "' in shard '"
                            + shardName + "', which has no such tensor");
                }
                shardOf.put(tensor, shard);
            }
        } catch (RuntimeException e) {
            byShardName.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new ShardedSafetensors(indexPath, Collections.unmodifiableMap(shardOf),
                List.copyOf(byShardName.values()));
    }

    @Override
    public Path path() {
        return indexPath;
    }

    /** The shard files, in the order the index first names them. */
    public List<SafetensorsFile> shards() {
        return shards;
    }

    /** The shard holding {@code name}. */
    public SafetensorsFile shardOf(String name) {
        SafetensorsFile f = shardOf.get(name);
        if (f == null) {
            throw new ModelFormatException(indexPath + ": no tensor '" + name + "' in the weight_map");
        }
        return f;
    }

    /** Header entries of all tensors, in weight_map order. */
    public List<SafetensorsTensorInfo> tensorInfos() {
        List<SafetensorsTensorInfo> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(shardOf.get(n).tensorInfo(n));
        }
        return out;
    }

    @Override
    public List<String> tensorNames() {
        return names;
    }

    @Override
    public boolean has(String name) {
        return shardOf.containsKey(name);
    }

    @Override
    public Tensor tensor(String name) {
        return shardOf(name).tensor(name);
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "sharded safetensors " + indexPath + " (" + shards.size() + " shards, " + names.size() + " tensors)";
    }
}
