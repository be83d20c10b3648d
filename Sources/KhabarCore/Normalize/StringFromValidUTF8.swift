extension String {
    /// A String of bytes known to be valid UTF-8 (whole scalars written from the normalizer's
    /// tables or copied from other Strings), made without validating them again where the
    /// standard library allows it: validation costs as much as the pass that wrote them.
    init(validUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        if #available(macOS 26.0, *) {
            self.init(copying: UTF8Span(unchecked: bytes.span))
        } else {
            self.init(decoding: bytes, as: UTF8.self)
        }
    }
}
