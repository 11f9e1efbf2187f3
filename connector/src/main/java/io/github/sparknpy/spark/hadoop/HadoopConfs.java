package io.github.sparknpy.spark.hadoop;

import io.github.sparknpy.spark.compat.ScalaInterop;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The Hadoop configuration a read or write uses, built like Spark's file sources build theirs: the
 * context's configuration, then the session's SQL confs, then the data source options (so {@code
 * .option("fs.s3a.endpoint", …)} works per read).
 */
public final class HadoopConfs {
  private HadoopConfs() {}

  public static Configuration forOptions(SparkSession spark, CaseInsensitiveStringMap options) {
    Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
    for (Map.Entry<String, String> e : ScalaInterop.toJavaMap(spark.conf().getAll()).entrySet()) {
      if (e.getValue() != null) {
        conf.set(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<String, String> e : options.asCaseSensitiveMap().entrySet()) {
      if (e.getValue() != null && !e.getKey().equals("path") && !e.getKey().equals("paths")) {
        conf.set(e.getKey(), e.getValue());
      }
    }
    return conf;
  }
}
