package dev.quorum.chaos.check;

import org.jspecify.annotations.Nullable;

/**
 * The bank workload's record values: {@code binit-<attempt>/<account>/<balance>} for the initial
 * balances (one transaction), {@code b<writer>-<n>/<account>/<delta>} for one side of a transfer
 * (transfer {@code b<writer>-<n>} has a debit and a credit, in one transaction). Every value is
 * unique in a run, like the other workloads' values, and carries the amount it adds to the total.
 */
public final class BankValues {
  /** Accounts, spread over the partitions as {@code account % partitions}. */
  /** The history operation of a read of every account. */
  public static final String READ_OP = "bank-read";

  public static final int ACCOUNTS = 6;

  public static final long INITIAL_BALANCE = 100;

  private static final String INIT = "binit-";

  private BankValues() {}

  public static String init(int attempt, int account, long balance) {
    return INIT + attempt + "/" + account + "/" + balance;
  }

  public static String transfer(int writer, long n, int account, long delta) {
    return "b" + writer + "-" + n + "/" + account + "/" + delta;
  }

  public static int partitionOf(int account, int partitions) {
    return account % partitions;
  }

  /** One parsed value: the transaction it belongs to, the account, what it adds. */
  public record Entry(String transaction, int account, long delta, boolean initial) {}

  /** The entry a value encodes, or null when it is not a bank value. */
  public static @Nullable Entry parse(String value) {
    if (!value.startsWith("b")) {
      return null;
    }
    String[] parts = value.split("/");
    if (parts.length != 3) {
      return null;
    }
    try {
      return new Entry(
          parts[0],
          Integer.parseInt(parts[1]),
          Long.parseLong(parts[2]),
          parts[0].startsWith(INIT));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
