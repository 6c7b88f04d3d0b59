package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GuestPathsTest {
    @Test
    void shouldResolveRelativePathsUnderTheWorkspace() {
        assertThat(GuestPaths.resolve("a/b", "path")).isEqualTo("/workspace/a/b");
        assertThat(GuestPaths.resolve("/etc/hosts", "path")).isEqualTo("/etc/hosts");
    }

    @Test
    void shouldSeeTheRootDirectoryWhateverItsSpelling() {
        for (String root : new String[] {"/", "//", "/.", "/./", "/..", "/workspace/..", "/workspace/../",
                "/workspace/./../", "/tmp/../..//", GuestPaths.resolve("..", "path"), GuestPaths.resolve("../", "path")}) {
            assertThat(GuestPaths.isRoot(root)).as(root).isTrue();
        }
        for (String other : new String[] {"/workspace", "/workspace/", "/a/../b", "/..a", "/.../", "/workspace/x/.."}) {
            assertThat(GuestPaths.isRoot(other)).as(other).isFalse();
        }
    }
}
