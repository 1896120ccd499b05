/// The message of a job's `Completed` phase change, written once for the live path and for
/// recovery: "1 round completed", "10 rounds completed", and where the final model is.
enum CompletionMessage {
    static func allRoundsCompleted(_ rounds: Int, finalModel path: String) -> String {
        "\(rounds) \(rounds == 1 ? "round" : "rounds") completed; final model \(path)"
    }
}
