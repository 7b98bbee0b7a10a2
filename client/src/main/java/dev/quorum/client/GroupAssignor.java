package dev.quorum.client;

/**
 * How the coordinator spreads partitions over a group's members. The group uses the choice of its
 * first member.
 */
public enum GroupAssignor {
  /** Keeps partitions where they are as far as balance allows (the default). */
  STICKY("sticky"),
  /** Per topic, contiguous ranges of partitions per member. */
  RANGE("range"),
  /** Partitions dealt out to members in turn. */
  ROUND_ROBIN("roundrobin");

  private final String wireName;

  GroupAssignor(String wireName) {
    this.wireName = wireName;
  }

  /** The name the coordinator knows this assignor by. */
  public String wireName() {
    return wireName;
  }
}
