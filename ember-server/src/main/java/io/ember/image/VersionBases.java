package io.ember.image;

import io.ember.store.ImageRecord;
import io.ember.vmm.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a new version is made from, decided before it is recorded: its base (a managed image of the version's
 * architecture or a SUCCESSFUL version of a built one), its size (docs/images.md, "Sizes"), and whether the data
 * directory's disk has room for its build.
 */
final class VersionBases {
    private final Images images;
    private final HostDisk disk;
    private final int maxMemoryMib;

    VersionBases(Images images, HostDisk disk, int maxMemoryMib) {
        this.images = images;
        this.disk = disk;
        this.maxMemoryMib = maxMemoryMib;
    }

    /**
     * INSUFFICIENT_CAPACITY before anything is written when the data directory's disk cannot take what the build
     * writes: its flattened disk (the base's disk size) and its snapshot's RAM file (the image's memory), plus the reserve.
     */
    void ensureDisk(Base base, ImageSpec spec, String what) {
        Path rootfs = base.managedRootfs() != null ? base.managedRootfs() : base.parentDir().resolve("rootfs.ext4");
        long bytes;
        try {
            bytes = Files.size(rootfs);
        } catch (java.io.IOException e) {
            bytes = 0; // the build reports a missing base itself
        }
        // the RAM file is sparse: the guest's pages are written as it touches them, counted here up to its baseline
        SizeClass size = SizeClass.of(spec.memoryMib() == null ? SizeClass.DEFAULT.baselineMemoryMib : spec.memoryMib())
                .orElse(SizeClass.DEFAULT);
        bytes += (long) size.baselineMemoryMib << 20;
        disk.refusal(images.root, bytes, what).ifPresent(message -> {
            throw ImageException.noCapacity(message);
        });
    }

    Base base(String tenantId, ImageSpec spec) {
        return base(tenantId, spec.baseImageArn(), spec.baseImageVersion(), ImageArchitecture.of(spec.echo()));
    }

    /**
     * @param version null: a managed image's only version, or a built image's latest active SUCCESSFUL one
     * @param arch the architecture of the version being built: a managed base of that architecture, or a built base
     *     of the same one
     */
    Base base(String tenantId, String id, String version, Arch arch) {
        if (images.catalog.find(id).isPresent() && !images.catalog.supports(arch))
            throw ImageException.invalid("cpuConfigurations asks for " + HostInfo.apiName(arch)
                    + " and this server has no guest assets for it: run `bin/ember setup --arch arm64`");
        Optional<ManagedImage> m = images.catalog.find(id).isPresent() ? images.catalog.of(arch).find(id) : Optional.empty();
        if (images.catalog.find(id).isPresent() && m.isEmpty())
            throw ImageException.invalid("managed image " + id + " has no " + HostInfo.apiName(arch) + " build on this server");
        if (m.isPresent()) {
            if (version != null && !version.equals(m.get().version()))
                throw ImageException.invalid("managed image " + m.get().name() + " has no version " + version);
            return new Base(m.get().arn(), m.get().name(), m.get().version(), m.get().vcpus(), m.get().memoryMib(), m.get().rootfs(),
                    null, Map.of());
        }
        ImageRecord parent = images.store.image(tenantId, id).orElseThrow(() -> new ImageException(ImageException.Kind.NOT_FOUND,
                "baseImageArn " + id + " names neither a managed image ("
                        + images.catalog.images().stream().map(ManagedImage::name).toList() + ") nor an image", id));
        LaunchSource ls;
        try {
            ls = images.source().resolve(tenantId, parent.arn(), version).orElseThrow();
        } catch (ImageUnavailableException e) {
            throw ImageException.invalid("base image: " + e.getMessage());
        }
        if (ls.arch() != arch)
            throw ImageException.invalid("base image " + parent.name() + " version " + ls.imageVersion() + " is "
                    + HostInfo.apiName(ls.arch()) + "; cpuConfigurations asks for " + HostInfo.apiName(arch));
        return new Base(parent.arn(), parent.name(), ls.imageVersion(), ls.vcpus(), ls.memoryMib(), null,
                images.versionDir(parent.id(), Integer.parseInt(ls.imageVersion())), ls.environment());
    }

    /**
     * The version's size (docs/images.md, "Sizes"): {@code resources[0].minimumMemoryInMiB}, one of the sizes AWS
     * offers, or 2048 without {@code resources}. Ember's {@code resources[0].vcpus}, which clients from before sizes may
     * still send, is accepted when it is the size's. A size whose peak memory this host does not have is refused.
     */
    SizeClass size(ImageSpec spec) {
        SizeClass size = spec.memoryMib() == null ? SizeClass.DEFAULT : SizeClass.of(spec.memoryMib()).orElseThrow(() ->
                ImageException.invalid("resources[0].minimumMemoryInMiB must be " + SizeClass.choices() + " (MiB; one of the "
                        + "MicroVM sizes, 2048 when resources is omitted), not " + spec.memoryMib()));
        if (spec.vcpus() != null && spec.vcpus() != size.peakVcpus)
            throw ImageException.invalid("resources[0].vcpus must be " + size.peakVcpus + " for minimumMemoryInMiB "
                    + size.baselineMemoryMib + " (a size's vCPUs are fixed: leave vcpus out), not " + spec.vcpus());
        if (size.peakMemoryMib > maxMemoryMib)
            throw ImageException.noCapacity("minimumMemoryInMiB " + size.baselineMemoryMib + " gives its microVMs "
                    + size.peakMemoryMib + " MiB of memory at their peak; this host has " + maxMemoryMib + " MiB");
        return size;
    }

}
