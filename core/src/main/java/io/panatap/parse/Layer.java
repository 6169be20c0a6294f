package io.panatap.parse;

/** Header layers, used to say where a frame was truncated or malformed. */
public enum Layer {
    NONE,
    LINK,
    VLAN,
    IPV4,
    IPV6,
    IPV6_EXTENSION,
    TCP
}
