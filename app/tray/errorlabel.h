#pragma once

#include <QLabel>

namespace traybeat {

// The reason a form field's value is refused, shown right under the field in the theme's
// error colour, and taking no space while there is nothing to say.
class ErrorLabel final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ErrorLabel)
public:
    explicit ErrorLabel(QWidget *parent = nullptr);
    ~ErrorLabel() override;

    // Empty: hides the label.
    void setError(const QString &reason);
    QString error() const { return text(); }
    // Red that stays readable on light and dark themes alike.
    static QColor errorColor();
};

// A muted, word-wrapped line that explains a form's field or section.
QLabel *hintLabel(const QString &text, QWidget *parent);

// A field with its ErrorLabel below it, as one widget for a form row.
QWidget *fieldWithError(QWidget *field, ErrorLabel *error, QWidget *parent);
QWidget *fieldWithError(QLayout *field, ErrorLabel *error, QWidget *parent);

} // namespace traybeat
