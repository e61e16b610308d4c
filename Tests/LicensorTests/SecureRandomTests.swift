import Licensor
import Testing

@Suite("SecureRandom over getrandom")
struct SecureRandomTests {
    @Test("returns the requested number of bytes")
    func counts() throws {
        #expect(try SecureRandom.bytes(count: 0) == [])
        #expect(try SecureRandom.bytes(count: 1).count == 1)
        #expect(try SecureRandom.bytes(count: 32).count == 32)
        #expect(try SecureRandom.bytes(count: 1 << 20).count == 1 << 20)
    }

    @Test("successive draws differ and are not constant")
    func differs() throws {
        let first = try SecureRandom.bytes(count: 32)
        let second = try SecureRandom.bytes(count: 32)
        #expect(first != second)
        #expect(Set(try SecureRandom.bytes(count: 4096)).count > 200)
    }

    @Test("a negative count is an error")
    func negative() {
        let error = #expect(throws: CryptoError.self) { try SecureRandom.bytes(count: -1) }
        #expect(error?.code == .randomFailed)
    }
}
