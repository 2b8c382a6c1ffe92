"""Publication (issue 12): typical cases (典型案例) drafted anonymised by a supervisor, approved by another and
published without login; guidance for enterprises (protection guides, the internal-measures self-assessment
questionnaire, versioned, scored, as a PDF) and the public knowledge base of guides, legal interpretations
and published typical cases. It sits on the right of routing (it reads complaints and their referrals)."""
