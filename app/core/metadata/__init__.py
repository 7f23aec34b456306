"""Writing labels into photos: keyword fields in JPEGs (XMP, IPTC, EXIF) and XMP
sidecars for RAW and other formats, written atomically, verified and journalled."""
