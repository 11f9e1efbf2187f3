package io.github.sparknpy.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class S3PartPlanTest {
  private static final long MIB = 1 << 20;
  private static final Path A = new Path("s3a://b/a");
  private static final Path B = new Path("s3a://b/b");

  @Test
  void largePartsAreCopiedAfterTheHeaderIsToppedUpToTheMinimum() {
    List<S3PartPlan.Part> plan =
        S3PartPlan.plan(
            List.of(
                S3PartPlan.Range.bytes(new byte[128]),
                S3PartPlan.Range.of(A, 128, 12 * MIB),
                S3PartPlan.Range.of(B, 128, 12 * MIB)));
    assertThat(plan).hasSize(3);
    assertThat(plan.get(0).copy()).isNull();
    assertThat(plan.get(0).length()).isEqualTo(S3PartPlan.MIN_PART);
    assertThat(plan.get(1).copy())
        .isEqualTo(S3PartPlan.Range.of(A, 128 + 5 * MIB - 128, 7 * MIB + 128));
    assertThat(plan.get(2).copy()).isEqualTo(S3PartPlan.Range.of(B, 128, 12 * MIB));
    assertThat(S3PartPlan.uploadedBytes(plan)).isEqualTo(5 * MIB);
  }

  @Test
  void smallPartsAreUploadedTogether() {
    List<S3PartPlan.Range> ranges = new ArrayList<>();
    ranges.add(S3PartPlan.Range.bytes(new byte[128]));
    for (int i = 0; i < 10; i++) {
      ranges.add(S3PartPlan.Range.of(A, i * MIB, MIB));
    }
    List<S3PartPlan.Part> plan = S3PartPlan.plan(ranges);
    assertThat(plan).allMatch(p -> p.copy() == null);
    assertThat(plan.get(0).length()).isGreaterThanOrEqualTo(S3PartPlan.MIN_PART);
    assertThat(S3PartPlan.uploadedBytes(plan)).isEqualTo(10 * MIB + 128);
  }

  /** Random layouts: every byte once and in order, every part but the last at least the minimum. */
  @Test
  void anyLayoutKeepsTheBytesInOrderAndTheMinimum() {
    Random random = new Random(7);
    for (int round = 0; round < 500; round++) {
      List<S3PartPlan.Range> ranges = new ArrayList<>();
      ranges.add(S3PartPlan.Range.bytes(new byte[64 + random.nextInt(200)]));
      long total = ranges.get(0).length();
      int n = 1 + random.nextInt(8);
      for (int i = 0; i < n; i++) {
        long len = 1 + (long) (random.nextDouble() * (random.nextBoolean() ? 3 : 40) * MIB);
        ranges.add(S3PartPlan.Range.of(new Path("s3a://b/p" + i), 128, len));
        total += len;
      }
      List<S3PartPlan.Part> plan = S3PartPlan.plan(ranges, 5 * MIB);
      List<S3PartPlan.Range> flat = new ArrayList<>();
      for (int i = 0; i < plan.size(); i++) {
        S3PartPlan.Part p = plan.get(i);
        if (i < plan.size() - 1) {
          assertThat(p.length()).isGreaterThanOrEqualTo(5 * MIB);
        }
        if (p.copy() != null) {
          flat.add(p.copy());
        } else {
          flat.addAll(p.upload());
        }
      }
      assertThat(plan.stream().mapToLong(S3PartPlan.Part::length).sum()).isEqualTo(total);
      // pieces of each range follow each other without gaps or overlaps
      long[] next = new long[n];
      for (S3PartPlan.Range r : flat) {
        if (r.file() != null) {
          int i = Integer.parseInt(r.file().getName().substring(1));
          assertThat(r.offset()).isEqualTo(128 + next[i]);
          next[i] += r.length();
        }
      }
      for (int i = 0; i < n; i++) {
        assertThat(next[i]).isEqualTo(ranges.get(i + 1).length());
      }
    }
  }

  @Test
  void longCopiesAreSplitIntoPiecesWithoutLeavingAShortOne() {
    long len = S3PartPlan.MAX_PART + 2 * MIB;
    List<S3PartPlan.Part> plan = S3PartPlan.plan(List.of(S3PartPlan.Range.of(A, 0, len)));
    assertThat(plan).hasSize((int) (len / S3PartPlan.COPY_PIECE) + 1);
    assertThat(plan).allMatch(p -> p.copy() != null && p.length() <= S3PartPlan.COPY_PIECE);
    assertThat(plan.get(plan.size() - 1).length()).isGreaterThanOrEqualTo(S3PartPlan.MIN_PART);
    assertThat(plan.stream().mapToLong(S3PartPlan.Part::length).sum()).isEqualTo(len);
  }

  /** Outputs too large for 128 MiB pieces within S3's 10,000 parts get larger pieces. */
  @Test
  void piecesGrowWithTheOutputToStayUnderS3sPartLimit() {
    long len = 2L << 40; // 2 TiB
    List<S3PartPlan.Part> plan = S3PartPlan.plan(List.of(S3PartPlan.Range.of(A, 0, len)));
    assertThat(plan.size()).isLessThanOrEqualTo(S3PartPlan.MAX_PARTS);
    assertThat(plan).allMatch(p -> p.length() <= S3PartPlan.MAX_PART);
    assertThat(plan.stream().mapToLong(S3PartPlan.Part::length).sum()).isEqualTo(len);
  }
}
