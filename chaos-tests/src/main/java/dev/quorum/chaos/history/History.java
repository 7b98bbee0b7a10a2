package dev.quorum.chaos.history;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished history: operations in the order they were recorded, each invocation paired with its
 * completion. An invocation without a completion (the run ended first) counts as {@code info}.
 */
public final class History {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private final List<Op> ops;
  private final List<Pair> pairs;

  /** An invocation and its completion. */
  public record Pair(Op invoke, Op completion) {
    public Op.Type type() {
      return completion.type();
    }

    public boolean ok() {
      return completion.type() == Op.Type.ok;
    }

    public String f() {
      return invoke.f();
    }

    public int process() {
      return invoke.process();
    }
  }

  public History(List<Op> ops) {
    List<Op> indexed = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      indexed.add(ops.get(i).withIndex(i));
    }
    this.ops = List.copyOf(indexed);
    this.pairs = pair(this.ops);
  }

  public List<Op> ops() {
    return ops;
  }

  public List<Pair> pairs() {
    return pairs;
  }

  public List<Pair> pairs(String f) {
    return pairs.stream().filter(p -> p.f().equals(f)).toList();
  }

  private static List<Pair> pair(List<Op> ops) {
    Map<Integer, Op> open = new HashMap<>();
    List<Pair> result = new ArrayList<>();
    for (Op op : ops) {
      if (op.isInvoke()) {
        Op previous = open.put(op.process(), op);
        if (previous != null) {
          throw new IllegalStateException(
              "process " + op.process() + " invoked op " + op.index() + " before completing one");
        }
      } else {
        Op invoke = open.remove(op.process());
        if (invoke == null) {
          throw new IllegalStateException(
              "completion " + op.index() + " of process " + op.process() + " has no invocation");
        }
        if (!invoke.f().equals(op.f())) {
          throw new IllegalStateException("completion " + op.index() + " does not match its f");
        }
        result.add(new Pair(invoke, op));
      }
    }
    long end = ops.isEmpty() ? 0 : ops.get(ops.size() - 1).time();
    for (Op invoke : open.values()) {
      Op info = Op.of(Op.Type.info, invoke.process(), invoke.f(), end).error("never completed");
      result.add(new Pair(invoke, info.writes(invoke.writes())));
    }
    return List.copyOf(result);
  }

  public void writeJsonl(Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Op op : ops) {
        out.write(GSON.toJson(op));
        out.write('\n');
      }
    }
  }

  public static History readJsonl(Path file) throws IOException {
    List<Op> ops = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        ops.add(GSON.fromJson(line, Op.class));
      }
    }
    return new History(ops);
  }
}
