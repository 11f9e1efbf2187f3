package io.github.sparknpy.spark.compat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scala.Tuple2;
import scala.collection.Iterator;

/**
 * Java and Scala collections, converted with the API that Scala 2.12 and 2.13 share ({@code
 * scala.jdk.javaapi.CollectionConverters} is 2.13-only, {@code scala.collection.JavaConverters} is
 * deprecated there): the same source compiles for every connector artifact.
 */
public final class ScalaInterop {
  private ScalaInterop() {}

  /**
   * An immutable Scala list of {@code items}, in order: accepted wherever Spark asks for a {@code
   * Seq} (a {@code scala.collection.Seq} on 2.12, an immutable one on 2.13).
   */
  public static <T> scala.collection.immutable.List<T> toScalaList(List<T> items) {
    scala.collection.immutable.List<T> list = scala.collection.immutable.List$.MODULE$.empty();
    for (int i = items.size() - 1; i >= 0; i--) {
      list = list.$colon$colon(items.get(i));
    }
    return list;
  }

  /** The elements of a Scala collection, in its iteration order. */
  public static <T> List<T> toJavaList(scala.collection.Iterable<T> items) {
    List<T> out = new ArrayList<>();
    Iterator<T> it = items.iterator();
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** The entries of a Scala map, in its iteration order. */
  public static <K, V> Map<K, V> toJavaMap(scala.collection.Map<K, V> map) {
    Map<K, V> out = new LinkedHashMap<>();
    Iterator<Tuple2<K, V>> it = map.iterator();
    while (it.hasNext()) {
      Tuple2<K, V> e = it.next();
      out.put(e._1(), e._2());
    }
    return out;
  }

  /** An immutable Scala map of {@code map}'s entries (Spark's error parameters, for example). */
  public static <K, V> scala.collection.immutable.Map<K, V> toScalaMap(Map<K, V> map) {
    scala.collection.immutable.Map<K, V> out = scala.collection.immutable.Map$.MODULE$.empty();
    for (Map.Entry<K, V> e : map.entrySet()) {
      out = out.updated(e.getKey(), e.getValue());
    }
    return out;
  }
}
