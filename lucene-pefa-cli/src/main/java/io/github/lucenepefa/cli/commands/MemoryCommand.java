package io.github.lucenepefa.cli.commands;

import io.github.lucenepefa.cli.Workbench;
import io.github.lucenepefa.cli.data.BeirDataset;
import io.github.lucenepefa.cli.data.MemoryRow;
import io.github.lucenepefa.cli.data.TrainingMemoryBuilder;
import io.github.lucenepefa.cli.index.Bm25Settings;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.cli.index.MemoryRows;
import io.github.lucenepefa.cli.vectors.VectorSource;
import io.github.lucenepefa.codec.Pefa01Codec;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pefa memory add|remove}: adds or removes the training pairs of one qrels split on an existing index, without
 * rebuilding it.
 *
 * <p>The memory of an index is a function of its dataset, its training splits (in order) and its doc-as-query
 * settings ({@link Workbench#memory}): training queries first, split by split, then the doc-as-query rows, identical
 * texts merged into the row of their first occurrence. {@code memory add B} makes the index's memory the memory of
 * its splits plus {@code B}, {@code memory remove B} the memory of its splits without {@code B}: the rows the index
 * holds are read back and compared with the rows wanted, and only the differences are written (pairs added or
 * subtracted with their weights, rows added or deleted). A memory changed this way therefore has the same row ids,
 * labels and weights as a fresh index built from the new splits, and a command run again after an interruption
 * finishes the change instead of applying it twice. {@code pefa-index.json} records the new splits when the Lucene
 * commit has succeeded.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
    description = "Adds or removes the training pairs of a qrels split on an existing index, without rebuilding it.",
    subcommands = {MemoryCommand.Add.class, MemoryCommand.Remove.class})
public final class MemoryCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Options of both subcommands. */
  static final class Options {
    @Mixin Common common = new Common();

    @Option(names = "--index", paramLabel = "DIR", description = "The index folder (default: work/<dataset>/index-<model>).")
    Path index;

    @Option(names = "--split", paramLabel = "NAME", required = true,
        description = "The qrels split whose training pairs (query text, relevant docs) are added or removed.")
    String split;

    Path indexDir() {
      return (index != null ? index : common.defaultIndex()).toAbsolutePath().normalize();
    }
  }

  /** {@code pefa memory add}. */
  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {
        "Adds the training pairs of a qrels split to the index's memory (query texts encoded as the memory's are).",
        "Afterwards the index equals one built with the split added to --train-split."})
  public static final class Add implements Callable<Integer> {
    @Mixin Options options = new Options();

    @Override
    public Integer call() throws Exception {
      return change(options, true);
    }
  }

  /** {@code pefa memory remove}. */
  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = {
        "Removes the training pairs of a qrels split from the index's memory.",
        "Afterwards the index equals one built without the split in --train-split."})
  public static final class Remove implements Callable<Integer> {
    @Mixin Options options = new Options();

    @Override
    public Integer call() throws Exception {
      return change(options, false);
    }
  }

  static int change(Options o, boolean add) throws Exception {
    long t0 = System.nanoTime();
    Path dir = o.indexDir();
    IndexInfo info = IndexInfo.read(dir);
    List<String> splits = new ArrayList<>(info.trainSplits());
    if (add && splits.contains(o.split)) {
      throw new IllegalArgumentException("the memory of " + dir + " already holds split " + o.split + " (its splits: "
          + splits + ")");
    }
    if (!add && !splits.contains(o.split)) {
      throw new IllegalArgumentException("the memory of " + dir + " does not hold split " + o.split + " (its splits: "
          + splits + ")");
    }
    try (VectorSource src = o.common.vectorSource(info)) {
      BeirDataset ds = Workbench.load(o.common.data(), List.of(o.split));
      IndexBuildOptions.checkSameData(info, ds);
      Map<String, String> fps = Workbench.splitFingerprints(ds.dir(), info.trainSplits());
      for (String s : info.trainSplits()) {
        if (!fps.get(s).equals(info.splitFingerprints().get(s))) {
          throw new IllegalArgumentException("qrels/" + s + ".tsv changed since the index's memory was built from it:"
              + " rebuild the index (pefa index --train-split " + String.join(",", splits) + ")");
        }
      }
      if (add) {
        splits.add(o.split);
      } else {
        splits.remove(o.split);
      }
      TrainingMemoryBuilder mb = Workbench.memory(ds, src, splits, Set.of(), info.chunks(), info.chunkWords());
      Map<String, MemoryRow> wanted = new LinkedHashMap<>();
      for (MemoryRow r : mb.build()) {
        wanted.put(r.rowId(), r);
      }
      try (Directory d = FSDirectory.open(dir)) {
        Map<String, Map<String, Float>> have;
        PefaSchema schema;
        try (DirectoryReader reader = DirectoryReader.open(d)) {
          have = MemoryRows.read(reader);
          schema = PefaSchema.read(reader);
        }
        MemoryRows.Diff diff = MemoryRows.diff(have, wanted);
        float[][] vectors = src.rows(diff.rowsNeedingVectors());
        // re-indexed documents keep the BM25 text field's analysis; their old copies are merged away, so that the
        // text field's statistics (which count deleted documents) equal a fresh build's
        org.apache.lucene.index.TieredMergePolicy mp = new org.apache.lucene.index.TieredMergePolicy();
        mp.setForceMergeDeletesPctAllowed(0);
        IndexWriterConfig cfg = new IndexWriterConfig(Bm25Settings.analyzer()).setCodec(new Pefa01Codec())
            .setSimilarity((info.bm25() != null ? info.bm25() : Bm25Settings.DEFAULT).similarity())
            .setMergePolicy(mp)
            .setOpenMode(IndexWriterConfig.OpenMode.APPEND);
        try (IndexWriter iw = new IndexWriter(d, cfg)) {
          PefaIndexWriter w = new PefaIndexWriter(iw, schema);
          diff.apply(w, vectors);
          w.commit();
          iw.forceMergeDeletes();
          w.commit();
        }
        IndexInfo now = info.withMemory(splits, Workbench.splitFingerprints(ds.dir(), splits), wanted.size(),
            mb.inputCount());
        now.write(dir);
        System.err.printf("memory %s %s: %s; the memory now holds splits %s: %d rows (%d texts encoded, %d from"
                + " cache) (%.1f s)%n", add ? "add" : "remove", o.split, diff.summary(), splits, wanted.size(),
            src.encodedCount(), src.cacheHitCount(), (System.nanoTime() - t0) / 1e9);
      }
    }
    return 0;
  }
}
