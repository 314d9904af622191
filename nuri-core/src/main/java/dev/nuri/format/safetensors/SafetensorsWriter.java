package dev.nuri.format.safetensors;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.nuri.format.ModelFormatException;
import dev.nuri.tensor.DType;
import dev.nuri.tensor.Tensor;
import dev.nuri.util.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes safetensors files laid out as the reference library ({@code safetensors.torch.save_file}) does: tensors
 * sorted by dtype (widest alignment first) then by name, data packed in that order without gaps, the compact JSON
 * header listing {@code __metadata__} first and then the tensors in data order, padded with spaces to a multiple
 * of 8 bytes so the data starts 8-byte aligned. {@code __metadata__} keys are written sorted (the reference
 * library writes them in hash order).
 */
public final class SafetensorsWriter {
    private record Pending(String name, String dtype, long[] shape, MemorySegment data) {
    }

    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private Map<String, String> metadata;

    /** Sets the {@code __metadata__} string map (null or absent: no {@code __metadata__} entry). */
    public SafetensorsWriter metadata(Map<String, String> metadata) {
        this.metadata = metadata == null ? null : new TreeMap<>(metadata);
        return this;
    }

    public SafetensorsWriter add(Tensor t) {
        return add(t.name(), t.dtype(), t.shape(), t.data());
    }

    /** Adds a tensor of one of the dtypes safetensors shares with Nuri; {@code shape} is outermost-first. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, MemorySegment data) {
        String st = SafetensorsDTypes.name(dtype);
        if (st == null) {
            throw new IllegalArgumentException("tensor '" + name + "': safetensors has no dtype for " + dtype);
        }
        return addRaw(name, st, shape, data);
    }

    /** Adds a tensor by safetensors dtype name (e.g. {@code "F8_E4M3"}). */
    public SafetensorsWriter addRaw(String name, String dtype, long[] shape, MemorySegment data) {
        String where = "tensor '" + name + "': ";
        if (name == null || name.equals(SafetensorsFile.METADATA_KEY)) {
            throw new IllegalArgumentException("invalid tensor name " + name);
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException(where + "added twice");
        }
        int size = SafetensorsDTypes.size(dtype);
        if (size == 0) {
            throw new IllegalArgumentException(where + "unknown safetensors dtype " + dtype);
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(where + "negative dimension in " + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (Math.multiplyExact(elements, size) != data.byteSize()) {
            throw new IllegalArgumentException(where + dtype + Arrays.toString(shape) + " needs " + elements * size
                    + " bytes but the data holds " + data.byteSize());
        }
        tensors.add(new Pending(name, dtype, shape.clone(), data));
        return this;
    }

    /** The header bytes (JSON padded with spaces), with tensors in the order they will be written. */
    private byte[] header(List<Pending> ordered) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = SafetensorsFile.JSON.getFactory().createGenerator(bytes)) {
            g.writeStartObject();
            if (metadata != null) {
                g.writeObjectFieldStart(SafetensorsFile.METADATA_KEY);
                for (var e : metadata.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Pending t : ordered) {
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", t.dtype());
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                offset += t.data().byteSize();
                g.writeNumber(offset);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        int pad = (8 - bytes.size() % 8) % 8;
        for (int i = 0; i < pad; i++) {
            bytes.write(' ');
        }
        return bytes.toByteArray();
    }

    /** Writes the file crash-safely (a temporary file beside it, fsynced and renamed into place). */
    public void write(Path path) {
        List<Pending> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparingInt((Pending t) -> -SafetensorsDTypes.order(t.dtype()))
                .thenComparing(Pending::name));
        byte[] header = header(ordered);
        try {
            AtomicFiles.write(path, ch -> {
                ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(header.length).put(header).flip();
                AtomicFiles.writeFully(ch, head);
                for (Pending t : ordered) {
                    long off = 0;
                    long size = t.data().byteSize();
                    while (off < size) {
                        int n = (int) Math.min(1 << 26, size - off);
                        AtomicFiles.writeFully(ch, t.data().asSlice(off, n).asByteBuffer());
                        off += n;
                    }
                }
            });
        } catch (IOException e) {
            throw new ModelFormatException(path + ": cannot write: " + e.getMessage(), e);
        }
    }

}
