package io.ember.agent;

/** A file's metadata, from STAT_RESULT or LIST_ENTRY. {@code name} is the entry name for LIST, the path for STAT. */
public record FileStat(String name, String type, long size, int mode, long mtimeMillis) {}
