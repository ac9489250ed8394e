using System.Globalization;
using System.Runtime.InteropServices;

namespace Crawlscope.Urls;

/// <summary>
/// UTS #46 ToASCII with the flags the WHATWG URL Standard asks for (CheckHyphens, UseSTD3ASCIIRules and
/// VerifyDnsLength off; CheckBidi and CheckJoiners on; non-transitional). .NET's IdnMapping cannot switch
/// off the hyphen and length checks, so we call the system ICU (which .NET itself uses on Linux) directly,
/// and fall back to IdnMapping where ICU cannot be loaded.
/// </summary>
internal static class Idna
{
    private const uint UidnaCheckBidi = 0x4, UidnaCheckContextJ = 0x8, UidnaNonTransitionalToAscii = 0x10;

    // Errors the URL Standard does not treat as failures when beStrict is false.
    private const uint IgnoredErrors =
        0x1 /* EMPTY_LABEL */ | 0x2 /* LABEL_TOO_LONG */ | 0x4 /* DOMAIN_NAME_TOO_LONG */ |
        0x8 /* LEADING_HYPHEN */ | 0x10 /* TRAILING_HYPHEN */ | 0x20 /* HYPHEN_3_4 */;

    [StructLayout(LayoutKind.Sequential)]
    private struct UidnaInfo
    {
        public short Size;
        public byte IsTransitionalDifferent;
        public byte ReservedB3;
        public uint Errors;
        public int ReservedI2;
        public int ReservedI3;
    }

    private static readonly IcuFunctions? Icu = IcuFunctions.TryLoad();
    private static readonly IdnMapping Fallback = new() { AllowUnassigned = false, UseStd3AsciiRules = false };

    /// <summary>Maps and punycodes a domain; null when UTS #46 reports an error that the URL Standard honours.</summary>
    internal static string? ToAscii(string domain)
    {
        if (Icu is { } icu) return icu.ToAscii(domain);
        try
        {
            return Fallback.GetAscii(domain);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    internal static string ToUnicode(string asciiDomain)
    {
        try
        {
            return Fallback.GetUnicode(asciiDomain);
        }
        catch (ArgumentException)
        {
            return asciiDomain;
        }
    }

    private sealed unsafe class IcuFunctions
    {
        private readonly delegate* unmanaged<uint, int*, IntPtr> _openUts46;
        private readonly delegate* unmanaged<IntPtr, char*, int, char*, int, UidnaInfo*, int*, int> _nameToAscii;
        private readonly IntPtr _idna;

        private IcuFunctions(IntPtr open, IntPtr toAscii)
        {
            _openUts46 = (delegate* unmanaged<uint, int*, IntPtr>)open;
            _nameToAscii = (delegate* unmanaged<IntPtr, char*, int, char*, int, UidnaInfo*, int*, int>)toAscii;
            int err = 0;
            _idna = _openUts46(UidnaCheckBidi | UidnaCheckContextJ | UidnaNonTransitionalToAscii, &err);
            if (err > 0 || _idna == IntPtr.Zero) throw new InvalidOperationException("uidna_openUTS46 failed: " + err);
        }

        internal static IcuFunctions? TryLoad()
        {
            if (!OperatingSystem.IsLinux()) return null;
            // ICU exports versioned symbols (uidna_openUTS46_72); probe the versions a distribution may ship.
            for (int v = 90; v >= 50; v--)
            {
                if (!NativeLibrary.TryLoad($"libicuuc.so.{v}", out IntPtr lib)) continue;
                if (NativeLibrary.TryGetExport(lib, $"uidna_openUTS46_{v}", out IntPtr open) &&
                    NativeLibrary.TryGetExport(lib, $"uidna_nameToASCII_{v}", out IntPtr toAscii))
                {
                    try
                    {
                        return new IcuFunctions(open, toAscii);
                    }
                    catch (InvalidOperationException)
                    {
                        return null;
                    }
                }
            }
            return null;
        }

        internal string? ToAscii(string domain)
        {
            int capacity = Math.Max(64, domain.Length * 4 + 16);
            while (true)
            {
                char[] dest = new char[capacity];
                var info = new UidnaInfo { Size = (short)sizeof(UidnaInfo) };
                int err = 0;
                int len;
                fixed (char* src = domain)
                fixed (char* dst = dest)
                {
                    len = _nameToAscii(_idna, src, domain.Length, dst, capacity, &info, &err);
                }
                const int bufferOverflow = 15; // U_BUFFER_OVERFLOW_ERROR
                if (err == bufferOverflow && len > capacity)
                {
                    capacity = len + 1;
                    continue;
                }
                if (err > 0) return null;
                if ((info.Errors & ~IgnoredErrors) != 0) return null;
                return new string(dest, 0, len);
            }
        }
    }
}
