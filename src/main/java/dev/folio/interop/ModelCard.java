package dev.folio.interop;

import dev.folio.model.GptConfig;
import dev.folio.store.ModelMetadata;

/** The README.md of an export: what the model is, how it was trained, how well it did, on what corpus, and how to load it. */
final class ModelCard {

    private ModelCard() {}

    static String of(ModelMetadata m) {
        GptConfig c = m.architecture();
        StringBuilder card = new StringBuilder();
        card.append("---\nlibrary_name: transformers\npipeline_tag: text-generation\ntags:\n- gpt2\n- character-level\n- folio\n---\n\n");
        card.append("# ").append(m.modelName()).append(" ").append(m.version()).append("\n\n");
        card.append("A character-level GPT exported by Folio from its model store (").append(m.modelName()).append('/').append(m.version())
                .append(", published ").append(m.createdAt()).append("), in Hugging Face's GPT-2 layout.\n\n");
        card.append("| | |\n| --- | --- |\n");
        card.append("| layers, heads, width | ").append(c.nLayer()).append(", ").append(c.nHead()).append(", ").append(c.nEmbd()).append(" |\n");
        card.append("| context | ").append(c.blockSize()).append(" characters |\n");
        card.append("| vocabulary | ").append(c.vocabSize()).append(" characters (one token each; ids as in Folio) |\n");
        card.append("| parameters | ").append(m.parameterCount()).append(" |\n");
        card.append("| biases | ").append(c.bias() ? "trained" : "none in Folio's model: zeros here").append(" |\n");
        ModelMetadata.TrainingSummary t = m.training();
        if (t != null) {
            card.append("| training run | ").append(t.steps()).append(" steps, ").append(t.tokensSeen()).append(" tokens, ")
                    .append(String.format("%.0f", t.wallSeconds())).append(" s").append(t.config() == null ? "" : ", " + t.config()).append(" |\n");
            card.append("| train loss | ").append(t.trainLoss()).append(" |\n");
            card.append("| validation loss | ").append(t.valLoss()).append(" (mean of ").append(t.evalBatches()).append(" batches) |\n");
        } else {
            card.append("| training run | not trained by Folio (imported) |\n");
        }
        ModelMetadata.CorpusSummary corpus = m.corpus();
        if (corpus != null) {
            card.append("| corpus | ").append(corpus.characters()).append(" characters, sha256 ").append(corpus.sha256())
                    .append("; first 90% trained, last 10% validated |\n");
        }
        card.append("\n## Use\n\n```python\nfrom transformers import AutoTokenizer, GPT2LMHeadModel\n")
                .append("tok = AutoTokenizer.from_pretrained(DIR)\nmodel = GPT2LMHeadModel.from_pretrained(DIR)\n")
                .append("ids = tok(\"ROMEO:\", return_tensors=\"pt\").input_ids\n")
                .append("print(tok.decode(model.generate(ids, max_new_tokens=100, do_sample=False)[0]))\n```\n\n")
                .append("The tokenizer splits text into single characters; a character outside the vocabulary is an error. The chat template ")
                .append("in tokenizer_config.json is Folio's; its stop sequences are under `").append(ChatTemplates.STOP_KEY).append("`.\n");
        return card.toString();
    }
}
