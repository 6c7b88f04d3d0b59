package io.ember.api;

import java.util.regex.Pattern;

/**
 * Image versions in AWS's form. AWS numbers them {@code major.minor} ("1.0"; RunMicrovm wants "the full major.minor
 * version string"); Ember numbers each image's versions 1, 2, ... and keeps that number everywhere inside. Answers
 * carry {@code N.0}; requests may say {@code N.0} or Ember's {@code N}.
 */
final class Versions {
    private Versions() {}

    private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,8}");
    private static final Pattern MAJOR_MINOR = Pattern.compile("[1-9][0-9]{0,8}\\.0");

    /** The form an answer shows: {@code 3} becomes {@code 3.0}; anything else (null, a managed image's own) as it is. */
    static String external(String version) {
        return version != null && NUMBER.matcher(version).matches() ? version + ".0" : version;
    }

    static String external(int version) {
        return version + ".0";
    }

    /** The form Ember keeps: {@code 3.0} becomes {@code 3}; anything else as it is (what it names is checked later). */
    static String internal(String version) {
        return version != null && MAJOR_MINOR.matcher(version).matches() ? version.substring(0, version.length() - 2) : version;
    }
}
