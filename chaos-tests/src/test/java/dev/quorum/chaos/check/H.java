package dev.quorum.chaos.check;

import dev.quorum.chaos.history.History;
import dev.quorum.chaos.history.Msg;
import dev.quorum.chaos.history.Op;
import java.util.ArrayList;
import java.util.List;

/** Hand-written histories: each call appends one entry, one time unit after the previous one. */
final class H {
  private final List<Op> ops = new ArrayList<>();
  private long time;

  private H add(Op op) {
    ops.add(
        new Op(
            0,
            op.type(),
            op.process(),
            op.f(),
            ++time,
            op.writes(),
            op.reads(),
            op.group(),
            op.commits(),
            op.commitTime(),
            op.error()));
    return this;
  }

  /** Invokes a send of {@code value} to partition 0 by process {@code p}. */
  H sendInvoke(int p, String value) {
    return add(Op.of(Op.Type.invoke, p, "send", 0).writes(List.of(Msg.sent(0, value))));
  }

  H sendOk(int p, String value, long offset) {
    return add(Op.of(Op.Type.ok, p, "send", 0).writes(List.of(new Msg(0, offset, value))));
  }

  H sendDone(int p, Op.Type type, String value) {
    return add(Op.of(type, p, "send", 0).writes(List.of(Msg.sent(0, value))).error("boom"));
  }

  /** A complete ok send. */
  H send(int p, String value, long offset) {
    return sendInvoke(p, value).sendOk(p, value, offset);
  }

  /** A complete ok poll by process {@code p}; reads are "offset:value" on partition 0. */
  H poll(int p, String... reads) {
    return pollIn(p, null, reads);
  }

  H pollIn(int p, String group, String... reads) {
    List<Msg> msgs = new ArrayList<>();
    for (String r : reads) {
      int colon = r.indexOf(':');
      msgs.add(new Msg(0, Long.parseLong(r.substring(0, colon)), r.substring(colon + 1)));
    }
    Op invoke = Op.of(Op.Type.invoke, p, "poll", 0);
    Op ok = Op.of(Op.Type.ok, p, "poll", 0).reads(msgs);
    if (group != null) {
      invoke = invoke.group(group);
      ok = ok.group(group);
    }
    return add(invoke).add(ok);
  }

  H assign(int p, long position) {
    List<Msg> start = List.of(new Msg(0, position, ""));
    add(Op.of(Op.Type.invoke, p, "assign", 0).commits(start));
    return add(Op.of(Op.Type.ok, p, "assign", 0).commits(start));
  }

  H commit(int p, String group, long offset) {
    List<Msg> c = List.of(new Msg(0, offset, ""));
    add(Op.of(Op.Type.invoke, p, "commit", 0).group(group).commits(c));
    return add(Op.of(Op.Type.ok, p, "commit", 0).group(group).commits(c));
  }

  H txnInvoke(int p, String... values) {
    List<Msg> w = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      w.add(Msg.sent(i % 2, values[i]));
    }
    return add(Op.of(Op.Type.invoke, p, "txn", 0).writes(w));
  }

  /** Completes a transaction; its commit was invoked at {@code commitTime} (-1: not recorded). */
  H txnDone(int p, Op.Type type, long commitTime, String... values) {
    List<Msg> w = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      w.add(Msg.sent(i % 2, values[i]));
    }
    return add(Op.of(type, p, "txn", 0).writes(w).commitTime(commitTime));
  }

  /** An ok consume-transform-produce transaction of process p over values read at offsets. */
  H process(int p, String... reads) {
    List<Msg> in = new ArrayList<>();
    List<Msg> out = new ArrayList<>();
    for (String r : reads) {
      int colon = r.indexOf(':');
      in.add(new Msg(0, Long.parseLong(r.substring(0, colon)), r.substring(colon + 1)));
      out.add(new Msg(0, -1, "x:" + r.substring(colon + 1), "chaos-out"));
    }
    add(Op.of(Op.Type.invoke, p, "process", 0).group("eos").reads(in).writes(out));
    return add(Op.of(Op.Type.ok, p, "process", 0).group("eos").reads(in).writes(out));
  }

  /** A poll of the output topic: "offset:value" pairs. */
  H pollOutput(int p, String... reads) {
    List<Msg> msgs = new ArrayList<>();
    for (String r : reads) {
      int colon = r.indexOf(':');
      msgs.add(
          new Msg(0, Long.parseLong(r.substring(0, colon)), r.substring(colon + 1), "chaos-out"));
    }
    add(Op.of(Op.Type.invoke, p, "poll", 0));
    return add(Op.of(Op.Type.ok, p, "poll", 0).reads(msgs));
  }

  /**
   * A complete ok {@code bank-read}: reads are "partition:offset:value", {@code extents} the offset
   * the read stopped at in partition 0, 1, ...
   */
  H bankRead(int p, long[] extents, String... reads) {
    List<Msg> msgs = new ArrayList<>();
    for (String r : reads) {
      String[] parts = r.split(":", 3);
      msgs.add(new Msg(Integer.parseInt(parts[0]), Long.parseLong(parts[1]), parts[2]));
    }
    List<Msg> ends = new ArrayList<>();
    for (int i = 0; i < extents.length; i++) {
      ends.add(new Msg(i, extents[i], ""));
    }
    add(Op.of(Op.Type.invoke, p, "bank-read", 0));
    return add(Op.of(Op.Type.ok, p, "bank-read", 0).reads(msgs).commits(ends));
  }

  long now() {
    return time;
  }

  History build() {
    return new History(ops);
  }
}
