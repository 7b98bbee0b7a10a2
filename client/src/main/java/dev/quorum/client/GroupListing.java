package dev.quorum.client;

/**
 * One group in {@link Admin#listGroups()}: its id, its state ({@code EMPTY}, {@code STABLE} or
 * {@code RECONCILING}) and how many members it has.
 */
public record GroupListing(String groupId, String state, int members) {}
