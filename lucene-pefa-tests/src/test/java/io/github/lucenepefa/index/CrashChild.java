package io.github.lucenepefa.index;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The writer that {@link TestCrashRecovery} kills: continues a {@link Workload} from the
 * generation of the index's last commit, committing every generation (with its number in the
 * commit user data), until it is killed. Prints {@code ready G} once it has opened the index at
 * generation {@code G}, {@code committing G} before each commit and {@code committed G} after it.
 *
 * <p>Arguments: the index directory, the workload seed, and a seed for this run's writer settings
 * (buffer sizes, merge policy, writing threads).
 */
public final class CrashChild {

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    ChildJvm.exitWithParent();
    Path path = Path.of(args[0]);
    Workload workload = new Workload(Long.parseLong(args[1]));
    Random random = new Random(Long.parseLong(args[2]));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + 120_000_000_000L; // never run away
    try (Directory dir = FSDirectory.open(path);
        IndexWriter lucene = new IndexWriter(dir, Workload.config(random))) {
      PefaIndexWriter writer =
          random.nextBoolean()
              ? new PefaIndexWriter(lucene, workload.schema)
              : new PefaIndexWriter(
                  lucene, workload.schema, 1 + random.nextInt(20), 1 + random.nextInt(3));
      int g = -1;
      if (DirectoryReader.indexExists(dir)) {
        for (Map.Entry<String, String> e : lucene.getLiveCommitData()) {
          if (e.getKey().equals(Workload.GENERATION)) {
            g = Integer.parseInt(e.getValue());
          }
        }
      }
      if (g < 0) {
        g = 0;
        lucene.setLiveCommitData(Map.of(Workload.GENERATION, "0").entrySet());
        writer.commit();
        out.println("committed 0");
      }
      WriteModel model = workload.replay(g);
      out.println("ready " + g);
      while (System.nanoTime() < deadline) {
        g++;
        List<Workload.Op> ops = workload.generation(g, model);
        for (Workload.Op op : ops) {
          op.apply(writer);
        }
        lucene.setLiveCommitData(Map.of(Workload.GENERATION, Integer.toString(g)).entrySet());
        out.println("committing " + g);
        writer.commit();
        out.println("committed " + g);
      }
    }
    Runtime.getRuntime().halt(4); // not killed in time
  }
}
