package io.github.lucenepefa.encoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/** Shared fixtures: varied texts and encoders opened once per test JVM. */
final class TestTexts {
  private TestTexts() {}

  private static final ConcurrentHashMap<String, TextEncoder> ENCODERS = new ConcurrentHashMap<>();

  /** An encoder for the config, opened once per JVM (never closed: lives until the JVM exits). */
  static TextEncoder shared(EncoderConfig config) {
    return ENCODERS.computeIfAbsent(
        config.toString(),
        k -> {
          try {
            return TextEncoder.open(config);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  static final String[] WORDS = {
    "protein", "cell", "the", "of", "receptor", "binding", "increases", "patients", "with", "cancer",
    "treatment", "reduced", "mortality", "gene", "expression", "in", "mice", "vitamin", "D", "levels",
    "associated", "risk", "higher", "lower", "trial", "randomized", "dose", "response", "immune",
    "inflammation", "neurons", "brain", "signaling", "pathway", "mutation", "tumour", "growth", "factor",
    "antibody", "virus", "infection", "vaccine", "efficacy", "lucene", "retrieval", "adapter", "vector",
    "embedding", "query", "document", "ranking", "score", "index", "search", "semantic", "dense"
  };

  /** Roughly {@code words} words of pseudo-scientific text (deterministic for a seed). */
  static String words(Random r, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      if (i > 0) {
        sb.append(r.nextInt(12) == 0 ? ". " : " ");
      }
      sb.append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.append('.').toString();
  }

  /** At least 50 varied, non-blank texts: short, long, unicode, punctuation-only, numbers. */
  static List<String> varied() {
    List<String> t = new ArrayList<>();
    t.add("hello");
    t.add("Hello world");
    t.add("What is the capital of France?");
    t.add("a");
    t.add("I");
    t.add("?");
    t.add("!!!");
    t.add("...");
    t.add("?!.,;:-_()[]{}");
    t.add("--- *** ---");
    t.add("@#$%^&*");
    t.add("0");
    t.add("3.14159 2.71828 1.41421");
    t.add("COVID-19 vaccines reduce hospitalisation by 90% (95% CI 85-94%).");
    t.add("The p53 protein is a tumour suppressor.");
    t.add("ALL CAPS SENTENCE ABOUT RETRIEVAL");
    t.add("mixed CaSe TeXt with Numbers 12345 and symbols #hash @user");
    t.add("Ünïcödé àccents: café, naïve, résumé, Zürich, São Paulo");
    t.add("Greek: α-synuclein, β-amyloid, γ-secretase, Δ9-THC");
    t.add("中文文本：蛋白质结构预测");
    t.add("日本語のテキストと英語 mixed text");
    t.add("한국어 문장입니다");
    t.add("Русский текст о белках и клетках");
    t.add("العربية نص قصير");
    t.add("Emoji 😀🚀🧬 and text");
    t.add("🧬🧬🧬");
    t.add("tab\tseparated\tvalues");
    t.add("line one\nline two\r\nline three");
    t.add("   leading and trailing spaces   ");
    t.add("double  spaces   between    words");
    t.add("https://example.org/path?query=1&x=y#frag");
    t.add("user@example.com sent an e-mail");
    t.add("C++ and C# and F# are languages; so is Java 21.");
    t.add("x = (a + b) * c / d - e^2");
    t.add("supercalifragilisticexpialidocious antidisestablishmentarianism");
    t.add("pneumonoultramicroscopicsilicovolcanoconiosis");
    t.add("[CLS] [SEP] [PAD] [MASK] [UNK] literal special tokens");
    t.add("ĳ ﬁ ﬂ ligatures and ｆｕｌｌｗｉｄｔｈ letters");
    t.add("zero\u200Bwidth\u200Bspace and soft\u00ADhyphen");
    t.add("Quote \"double\" and 'single' and «guillemets»");
    Random r = new Random(42);
    for (int i = 0; i < 8; i++) {
      t.add(words(r, 3 + r.nextInt(12)));
    }
    for (int i = 0; i < 5; i++) {
      t.add(words(r, 40 + r.nextInt(60)));
    }
    for (int i = 0; i < 3; i++) {
      t.add(words(r, 200 + r.nextInt(300))); // longer than 128 tokens: truncated
    }
    t.add("word ".repeat(400));
    return t;
  }
}
