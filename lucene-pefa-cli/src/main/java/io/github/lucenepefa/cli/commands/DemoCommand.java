package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.vectors.VectorSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pefa demo}: index (if needed) + tune + eval on the bundled SciFact with the default model. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "PEFA on real data in one command: builds the index of the dataset (bundled SciFact by default) if it is",
      "missing or out of date, tunes lam, k, the neighbour vote and the BM25 weight a on a dev part of the training",
      "queries, evaluates ERM, PEFA-XS and PEFA-XL, BM25 and each method fused with BM25 (ERM+BM25, PEFA-XS+BM25,",
      "PEFA-XL+BM25) on the test split with the chosen settings, and prints the table and where the report is."})
public final class DemoCommand implements Callable<Integer> {

  @Mixin Common common = new Common();
  @Mixin IndexBuildOptions indexOptions = new IndexBuildOptions();

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    indexOptions.check();
    try (VectorSource src = indexOptions.vectorSource(common)) {
      BeirDataset ds = Workbench.load(common.data(), List.of("test"));
      indexOptions.ensure(common, ds, src);
    }
    TuneCommand tune = new TuneCommand();
    tune.common = common;
    tune.indexOptions = indexOptions;
    tune.reuse = true;
    int rc = tune.call();
    if (rc != 0) {
      return rc;
    }
    TuneCommand.Choice c = tune.choice;
    EvalCommand eval = new EvalCommand();
    eval.common = common;
    eval.indexOptions = indexOptions;
    eval.notes.add(c.fallback()
        ? "Nothing could be tuned (no training queries and no dev split): the defaults are evaluated."
        : String.format(Locale.ROOT,
            "Settings chosen by `pefa tune` on dev queries (by dev %s, never looking at the test qrels): "
                + "PEFA-XS lam = %s; PEFA-XL lam = %s, k = %d, vote %s.",
            c.metric(), TuneCommand.fmt(c.xsLam()), TuneCommand.fmt(c.xlLam()), c.k(), c.voteLabel()));
    System.out.println();
    System.out.println("== test metrics with the tuned settings ==");
    rc = eval.call();
    System.err.printf("demo: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    return rc;
  }
}
