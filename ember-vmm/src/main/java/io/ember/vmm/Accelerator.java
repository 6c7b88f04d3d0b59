package io.ember.vmm;

/** Hardware acceleration for guests. AUTO probes KVM and falls back to TCG (software emulation). */
public enum Accelerator { AUTO, KVM, TCG }
