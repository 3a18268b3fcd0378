package io.github.lucenepefa.opensearch;

import java.util.Set;

/** A field type of this plugin: which Lucene vector fields it writes with the PEFA format. */
interface PefaFieldType {

  /** The Lucene vector fields this mapped field writes; the plugin's codec gives them our format. */
  Set<String> luceneVectorFields();
}
