"""From a drawing canvas to the network's input, the way MNIST itself was made.

MNIST digits were fitted into a 20x20 box (aspect ratio kept, anti-aliased) and placed
in a 28x28 field with their centre of mass at the centre. Shrinking a whole canvas to
28x28 instead gives a small, thin, off-centre digit the network has never seen; doing
what MNIST did is most of what makes a drawn digit recognisable.
"""
import io
import struct

import numpy as np

SIDE = 28          # MNIST image side
BOX = 20           # the digit's longer side inside it
MAX_SIDE = 4096    # larger canvases are refused, not resized
INK = 0.2          # ink level that counts for the bounding box
MIN_INK_FRACTION = 0.0015  # below this share of strong-ink pixels the canvas counts as blank
MIN_INK_PIXELS = 12


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data):
    """(width, height) from a PNG's IHDR chunk, read from the first 24 bytes alone."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"a drawing must arrive as PNG bytes, got {type(data).__name__}")
    data = bytes(data[:24])
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("the drawing is not a PNG image")
    return struct.unpack(">II", data[16:24])


# What a canvas PNG holds. Text and colour-profile chunks (tEXt, zTXt, iTXt, iCCP) are
# refused: Pillow inflates the compressed ones on opening, up to 64 MB, before any check.
PNG_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND",
              b"sRGB", b"gAMA", b"cHRM", b"pHYs", b"sBIT", b"bKGD"}


def _check_chunks(data):
    """Walk the chunks' lengths and types (no data is read) and refuse unexpected ones."""
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind not in PNG_CHUNKS:
            raise ValueError(f"the drawing holds a {kind!r:.12} chunk, which a canvas never sends")
        if kind == b"IEND":
            return
        pos += 12 + length
    raise ValueError("the drawing is a truncated PNG")


def decode_png(data, max_pixels):
    """An RGBA array from PNG bytes sent by a browser, checking the size before decoding.

    Parameters
    ----------
    data : bytes
        A PNG file, from a client that may have been modified.
    max_pixels : int
        The largest image accepted, in pixels: the size is read from the header, so a
        small file that declares a huge image is refused before any pixel is decoded.

    Returns
    -------
    ndarray of shape (H, W, 4), uint8

    Raises
    ------
    ValueError
        Whatever is wrong with the bytes: not a PNG, too large, or broken anywhere.
    """
    width, height = png_size(data)
    if not (0 < width * height <= max_pixels):
        raise ValueError(f"the drawing is {width}x{height} pixels; at most {max_pixels:,} are accepted")
    data = bytes(data)
    _check_chunks(data)
    from PIL import Image  # here, not at the top: the rest of ffn needs no Pillow

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as im:
            if im.size != (width, height):
                raise ValueError(f"the drawing's size {im.size} disagrees with its header")
            rgba = np.asarray(im.convert("RGBA"))
    except ValueError:
        raise
    except Exception as e:  # a broken chunk can fail in Pillow as SyntaxError, OSError, EOFError...
        raise ValueError(f"the drawing is a broken PNG ({type(e).__name__})") from e
    return rgba


def ink_map(rgba):
    """Ink intensity in [0, 1] of each pixel of an RGBA canvas, whatever its look.

    A canvas with any transparency is ink-on-transparent: the alpha channel is the ink.
    An opaque canvas is ink on a background colour, taken as the median of its border;
    the ink is the distance of each pixel's luminance from it. So white-on-black,
    black-on-white and coloured ink all come out as white digits on black.

    Parameters
    ----------
    rgba : ndarray of shape (H, W, 4), uint8

    Returns
    -------
    ndarray of shape (H, W), float32
    """
    _check_canvas(rgba)
    alpha = rgba[..., 3]
    if alpha.min() < 255:
        return alpha.astype(np.float32) / np.float32(255)
    lum = rgba[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    border = np.concatenate([lum[0], lum[-1], lum[:, 0], lum[:, -1]])
    bg = float(np.median(border))
    return np.abs(lum - bg) / np.float32(max(bg, 255.0 - bg, 1.0))


def _check_canvas(rgba):
    if not isinstance(rgba, np.ndarray):
        raise ValueError(f"canvas must be a numpy array, got {type(rgba).__name__}")
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"canvas must have shape (H, W, 4) (RGBA), got {rgba.shape}")
    if rgba.dtype != np.uint8:
        raise ValueError(f"canvas must be uint8, got {rgba.dtype}")
    h, w = rgba.shape[:2]
    if h == 0 or w == 0:
        raise ValueError(f"canvas is empty: shape {rgba.shape}")
    if h > MAX_SIDE or w > MAX_SIDE:
        raise ValueError(f"canvas is {h}x{w}; the largest accepted is {MAX_SIDE}x{MAX_SIDE}")


def center_of_mass(img):
    """(row, col) centre of mass of a non-negative 2-D image."""
    total = img.sum()
    rows = np.arange(img.shape[0], dtype=np.float64)
    cols = np.arange(img.shape[1], dtype=np.float64)
    return float(img.sum(axis=1) @ rows / total), float(img.sum(axis=0) @ cols / total)


def preprocess_canvas(rgba):
    """The network input for a drawing: (784,) float32 in [0, 1], white digit on black.

    Crops to the ink, scales the longer side to 20 px keeping the aspect ratio (Pillow's
    Lanczos filter, which anti-aliases), and places the result in a 28x28 field with
    its centre of mass at the centre.

    Parameters
    ----------
    rgba : ndarray of shape (H, W, 4), uint8
        What the drawing canvas returns, of any size up to 4096x4096.

    Returns
    -------
    ndarray of shape (784,), float32, or None
        None when the canvas is blank or holds only a few stray pixels.

    Raises
    ------
    ValueError
        The canvas is not an (H, W, 4) uint8 array of a sensible size.
    """
    from PIL import Image  # here, not at the top: the rest of ffn needs no Pillow

    ink = ink_map(rgba)
    h, w = ink.shape
    strong = int(np.count_nonzero(ink > 0.5))
    if strong < max(MIN_INK_PIXELS, MIN_INK_FRACTION * h * w):
        return None
    rows = np.flatnonzero((ink > INK).any(axis=1))
    cols = np.flatnonzero((ink > INK).any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    ch, cw = crop.shape
    scale = BOX / max(ch, cw)
    size = (max(1, round(cw * scale)), max(1, round(ch * scale)))  # PIL wants (width, height)
    small = np.asarray(Image.fromarray(crop, mode="F").resize(size, Image.LANCZOS))
    small = np.clip(small, 0.0, 1.0)
    if small.sum() <= 0:
        return None
    cy, cx = center_of_mass(small)
    top, left = round((SIDE - 1) / 2 - cy), round((SIDE - 1) / 2 - cx)
    out = np.zeros((SIDE, SIDE), dtype=np.float32)
    # paste with clipping: a lopsided digit may be pushed a pixel past the edge
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + small.shape[0], SIDE), min(left + small.shape[1], SIDE)
    out[y0:y1, x0:x1] = small[y0 - top:y1 - top, x0 - left:x1 - left]
    return out.reshape(-1)


def network_view(x, scale=8):
    """The 28x28 input as a (28*scale, 28*scale) uint8 image, for showing what the net sees."""
    x = np.asarray(x, dtype=np.float32).reshape(SIDE, SIDE)
    img = (np.clip(x, 0, 1) * 255).astype(np.uint8)
    return np.kron(img, np.ones((scale, scale), dtype=np.uint8))
