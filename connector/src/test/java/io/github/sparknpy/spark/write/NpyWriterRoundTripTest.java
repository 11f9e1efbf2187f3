package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparknpy.npy.Npy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NpyWriterRoundTripTest extends WriterTestBase {

  @Test
  void singleDoubleColumnIsPlainVectorInPartitionOrder() throws Exception {
    Path out = tmp.resolve("x.npy");
    sql("SELECT CAST(id AS DOUBLE) * 1.5 AS x FROM range(0, 10, 1, 3)")
        .write()
        .format("npy")
        .save(out.toString());
    JsonNode n = numpy(out);
    assertThat(descr(n)).isEqualTo("\"<f8\"");
    assertThat(shape(n)).isEqualTo("[10]");
    assertThat(values(n)).isEqualTo("[0.0,1.5,3.0,4.5,6.0,7.5,9.0,10.5,12.0,13.5]");
    assertThat(Npy.isAppendable(out)).isTrue();
    assertThat(hiddenLeftovers(tmp)).isEmpty();
  }
}
