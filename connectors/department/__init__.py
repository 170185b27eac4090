"""What every department connector shares: answering each request once (the answer desk), the
defendant agency's answers in administrative cases and to judicial suggestions, and the
joint-punishment ledger of measures applied to listed debtors. Tax and market supervision build on
it; another department's connector can too."""
