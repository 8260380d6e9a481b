// The Foundation-free layer under this one (ByteText, Hex, SHA256…), visible wherever BelenusCore is.
@_exported import BelenusBytes
